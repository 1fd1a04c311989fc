using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Lingcheng.Talent.ServiceDefaults.Data;

/// <summary>The database engines a service runs on (SPEC §7.3).</summary>
public enum DatabaseProvider
{
    /// <summary>Embedded default: one SQLite file per service in the data folder, WAL mode.</summary>
    Sqlite,

    /// <summary>Production beyond one server.</summary>
    SqlServer,
}

/// <summary>
/// Registers a service's EF Core context on the configured provider. Each service has an
/// abstract-free base context with the model, and one subclass per provider that owns that
/// provider's migration set (Data/Migrations/Sqlite, Data/Migrations/SqlServer).
/// Configuration: <c>Database:Provider</c> (Sqlite | SqlServer), <c>ConnectionStrings:{name}</c>.
/// </summary>
public static class DatabaseExtensions
{
    public static DatabaseProvider GetDatabaseProvider(this IConfiguration configuration) =>
        Enum.TryParse<DatabaseProvider>(configuration["Database:Provider"], ignoreCase: true, out var p) ? p : DatabaseProvider.Sqlite;

    /// <summary>The connection string for a service database; SQLite defaults to <c>{DataDirectory}/{name}.db</c>.</summary>
    public static string GetDatabaseConnectionString(this IConfiguration configuration, string name)
    {
        var configured = configuration.GetConnectionString(name);
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        if (configuration.GetDatabaseProvider() == DatabaseProvider.SqlServer)
        {
            throw new InvalidOperationException($"ConnectionStrings:{name} is required when Database:Provider is SqlServer.");
        }

        var folder = AuthExtensions.DataDirectory(configuration);
        KeyFiles.CreateFolder(folder); // owner-only when created here: it holds the keys and the databases
        return SqliteConnectionString(Path.Combine(folder, name.ToLowerInvariant() + ".db"));
    }

    public static string SqliteConnectionString(string file) => new SqliteConnectionStringBuilder
    {
        DataSource = file,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Registers <typeparamref name="TContext"/> (scoped and as a factory) backed by the provider's subclass.</summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext, TSqlite, TSqlServer>(this IHostApplicationBuilder builder, string name)
        where TContext : DbContext
        where TSqlite : TContext
        where TSqlServer : TContext
    {
        var provider = builder.Configuration.GetDatabaseProvider();
        var connectionString = builder.Configuration.GetDatabaseConnectionString(name);
        if (provider == DatabaseProvider.SqlServer)
        {
            builder.Services.AddDbContextFactory<TSqlServer>(o => o.UseSqlServer(connectionString, s => s.EnableRetryOnFailure()));
            builder.Services.AddSingleton<IDbContextFactory<TContext>>(sp => new ContextFactory<TContext, TSqlServer>(sp.GetRequiredService<IDbContextFactory<TSqlServer>>()));
        }
        else
        {
            SqliteFiles.CreateOwnerOnly(connectionString);
            builder.Services.AddDbContextFactory<TSqlite>(o => o.UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance));
            builder.Services.AddSingleton<IDbContextFactory<TContext>>(sp => new ContextFactory<TContext, TSqlite>(sp.GetRequiredService<IDbContextFactory<TSqlite>>()));
        }

        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext());

        // Readiness: NOT_SERVING while the database does not answer (Hosting/Readiness.cs).
        builder.Services.AddSingleton<DatabaseReadiness<TContext>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseReadiness<TContext>>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "database", sp => sp.GetRequiredService<DatabaseReadiness<TContext>>(), failureStatus: null, tags: [Readiness.Ready]));

        // Signed checkpoints of the audit chain (a context without an AuditRecords table makes none).
        builder.Services.TryAddSingleton<AuditCheckpoints>();
        builder.Services.AddHostedService<AuditCheckpointer<TContext>>();
        return builder;
    }

    /// <summary>Applies pending migrations of the configured provider's migration set.</summary>
    public static async Task MigrateAsync<TContext>(this IServiceProvider services, CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers run beside the single writer; it is a property of the file, set once.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            SqliteFiles.RestrictToOwner(db.Database.GetConnectionString());
        }
    }

    private sealed class ContextFactory<TContext, TImpl>(IDbContextFactory<TImpl> inner) : IDbContextFactory<TContext>
        where TContext : DbContext
        where TImpl : TContext
    {
        public TContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>
/// The files of a SQLite database hold personal data and the audit trail: owner-only (0600) on Unix. The
/// database is created empty and 0600 before SQLite first opens it — SQLite gives its -wal and -shm files the
/// mode of the database — and a database an earlier version created is narrowed after its migrations.
/// </summary>
public static class SqliteFiles
{
    /// <summary>Creates the (empty, hence valid) database file owner-only when it does not exist yet.</summary>
    public static void CreateOwnerOnly(string connectionString)
    {
        if (OperatingSystem.IsWindows() || FileOf(connectionString) is not { } file || File.Exists(file))
        {
            return;
        }

        KeyFiles.CreateFolder(Path.GetDirectoryName(file)!);
        try
        {
            using var _ = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite, UnixCreateMode = KeyFiles.OwnerOnlyFile,
            });
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another process (a replica, the migration job) created it first.
        }
    }

    /// <summary>Narrows the database and its -wal and -shm files to the owner.</summary>
    public static void RestrictToOwner(string? connectionString)
    {
        if (OperatingSystem.IsWindows() || FileOf(connectionString) is not { } file)
        {
            return;
        }

        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            try
            {
                if (File.Exists(path) && (File.GetUnixFileMode(path) & ~KeyFiles.OwnerOnlyFile) != 0)
                {
                    File.SetUnixFileMode(path, KeyFiles.OwnerOnlyFile);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not ours (shared on purpose, another user's file): its owner decides.
            }
        }
    }

    /// <summary>The database file of a SQLite connection string; null for an in-memory database.</summary>
    private static string? FileOf(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return null;
        }

        var source = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return source.Length == 0 || source == ":memory:" || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? null
            : Path.GetFullPath(source);
    }
}

/// <summary>
/// Sets the per-connection SQLite pragmas: FULL synchronous commits (no acknowledged write is
/// lost, SPEC §7.2) and a busy timeout so concurrent writers queue instead of failing.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        // Pooled connections keep what the previous user set (the verification audit writer turns
        // automatic checkpoints off and limits the log file on its own connection), so every open
        // sets all of these again, to SQLite's defaults where the value is not ours.
        command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=1000; PRAGMA journal_size_limit=-1;";
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// Design-time factory base for <c>dotnet ef</c>: builds a provider's context without the
/// service's host, so migrations can be added and scripted without a running database.
/// </summary>
public abstract class DesignTimeContextFactory<TContext>(DatabaseProvider provider) : IDesignTimeDbContextFactory<TContext>
    where TContext : DbContext
{
    public TContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<TContext>();
        if (provider == DatabaseProvider.SqlServer)
        {
            options.UseSqlServer("Server=localhost;Database=design_time;Integrated Security=true;TrustServerCertificate=true");
        }
        else
        {
            options.UseSqlite("Data Source=design_time.db");
        }

        return (TContext)Activator.CreateInstance(typeof(TContext), options.Options)!;
    }
}
