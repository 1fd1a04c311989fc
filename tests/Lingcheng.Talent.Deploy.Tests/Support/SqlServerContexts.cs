using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.Verification.Data;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Deploy.Tests.Support;

/// <summary>The services' provider contexts: SQL Server (the migration sets production applies) and SQLite.</summary>
public static class SqlServerContexts
{
    /// <summary>A connection string that is never opened: enough to generate SQL.</summary>
    public const string Placeholder = "Server=127.0.0.1,1;Database=lct;User Id=sa;Password=unused;TrustServerCertificate=true";

    public static DbContext Create(string service, string connectionString)
    {
        DbContextOptions<T> Options<T>() where T : DbContext =>
            new DbContextOptionsBuilder<T>().UseSqlServer(connectionString).Options;

        return service switch
        {
            "registry" => new SqlServerTalentRegistryDbContext(Options<SqlServerTalentRegistryDbContext>()),
            "entitlements" => new SqlServerEntitlementDbContext(Options<SqlServerEntitlementDbContext>()),
            "verification" => new SqlServerVerificationDbContext(Options<SqlServerVerificationDbContext>()),
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
        };
    }

    /// <summary>The SQLite context with the services' per-connection pragmas (FULL sync, busy timeout).</summary>
    public static DbContext CreateSqlite(string service, string connectionString)
    {
        DbContextOptions<T> Options<T>() where T : DbContext =>
            new DbContextOptionsBuilder<T>().UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance).Options;

        return service switch
        {
            "registry" => new SqliteTalentRegistryDbContext(Options<SqliteTalentRegistryDbContext>()),
            "entitlements" => new SqliteEntitlementDbContext(Options<SqliteEntitlementDbContext>()),
            "verification" => new SqliteVerificationDbContext(Options<SqliteVerificationDbContext>()),
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
        };
    }
}
