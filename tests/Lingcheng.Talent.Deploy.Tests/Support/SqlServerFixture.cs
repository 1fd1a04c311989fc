using Microsoft.Data.SqlClient;
using Testcontainers.MsSql;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests.Support;

/// <summary>
/// One SQL Server 2022 container (Testcontainers) for the integration tests, started only when a Docker
/// engine answers; each test makes its own databases in it. Where there is no engine the tests call
/// <see cref="SkipUnlessAvailable"/> and are reported as skipped.
/// </summary>
public sealed class SqlServerFixture : IAsyncLifetime
{
    public const string Image = "mcr.microsoft.com/mssql/server:2022-latest";

    private MsSqlContainer? _container;

    /// <summary>Why there is no SQL Server (null when there is one).</summary>
    public string? UnavailableReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        UnavailableReason = await DockerEngine.UnavailableReasonAsync();
        if (UnavailableReason is not null)
        {
            return;
        }

        _container = new MsSqlBuilder(Image).Build();
        await _container.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    public void SkipUnlessAvailable()
    {
        if (UnavailableReason is not null)
        {
            Assert.Skip(UnavailableReason);
        }
    }

    /// <summary>The server's administrator (sa) on <paramref name="database"/>.</summary>
    public string AdminConnectionString(string database = "master") => new SqlConnectionStringBuilder(_container!.GetConnectionString())
    {
        InitialCatalog = database,
        TrustServerCertificate = true,
    }.ConnectionString;

    /// <summary><paramref name="login"/> with <paramref name="password"/> on <paramref name="database"/> of this server.</summary>
    public string LoginConnectionString(string login, string password, string database) => new SqlConnectionStringBuilder(_container!.GetConnectionString())
    {
        UserID = login,
        Password = password,
        InitialCatalog = database,
        TrustServerCertificate = true,
        Pooling = false,
    }.ConnectionString;

    /// <summary>A connection string to a new database of this server (created by the migrations).</summary>
    public string NewDatabase(string name) => new SqlConnectionStringBuilder(_container!.GetConnectionString())
    {
        InitialCatalog = $"lct_{name}_{Guid.NewGuid().ToString("N")[..12]}",
        TrustServerCertificate = true,
    }.ConnectionString;
}
