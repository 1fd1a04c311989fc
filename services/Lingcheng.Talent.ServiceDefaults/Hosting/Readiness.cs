using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// The two questions the gRPC health service answers (grpc.health.v1): the default service
/// (<c>""</c>, what the readiness probe, compose's health check and the test harness ask) is
/// SERVING only when every check tagged <see cref="Ready"/> passes; the service named
/// <see cref="LivenessService"/> only says the process answers (a check tagged <see cref="Live"/>).
/// </summary>
public static class Readiness
{
    /// <summary>Tag of the checks that decide whether the service should get traffic.</summary>
    public const string Ready = "ready";

    /// <summary>Tag of the cheap check that only says the process is alive.</summary>
    public const string Live = "live";

    /// <summary>The grpc.health.v1 service name of the liveness check (Kubernetes' liveness and startup probes).</summary>
    public const string LivenessService = "liveness";
}

/// <summary>Not ready once the host is stopping: a probe then takes the replica out of rotation before it closes.</summary>
public sealed class StoppingCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("stopping")
            : HealthCheckResult.Healthy());
}

/// <summary>
/// Asks the service's database, every <see cref="Interval"/>, whether it still answers, so that
/// readiness is a memory read and a probe never waits on a stuck database. On SQLite the question is
/// whether a write could start (<c>BEGIN IMMEDIATE</c>, rolled back at once, nothing written): every
/// call of these services writes (audit, events), and a file locked by another process still answers
/// reads in WAL mode. On SQL Server it is a round trip (<c>SELECT 1</c>). An answer slower than
/// <see cref="Timeout"/> counts as none. Transitions are logged once each.
/// </summary>
public sealed class DatabaseReadiness<TContext>(
    IDbContextFactory<TContext> contexts,
    TimeProvider time,
    ILogger<DatabaseReadiness<TContext>> logger) : BackgroundService, IHealthCheck
    where TContext : DbContext
{
    /// <summary>How often the database is asked.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>The longest an answer may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private const string NotAskedYet = "not asked yet";

    private volatile string? _problem = NotAskedYet;

    /// <summary>True when the last question was answered in time.</summary>
    public bool Answers => _problem is null;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_problem is { } problem ? HealthCheckResult.Unhealthy("database: " + problem) : HealthCheckResult.Healthy());

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first answer before the service listens, so it does not start out NOT_SERVING for a second.
        await ProbeAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, stoppingToken);
                await ProbeAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeAsync(CancellationToken stoppingToken)
    {
        string? problem;
        var started = time.GetTimestamp();
        try
        {
            // On a thread of its own: SQLite's "async" calls block, and WaitAsync must be able to give up.
            await Task.Run(() => AskAsync(stoppingToken), stoppingToken).WaitAsync(Timeout, time, stoppingToken);
            var took = time.GetElapsedTime(started);
            problem = took > Timeout ? $"answered only after {took.TotalSeconds:0.0} s" : null;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (TimeoutException)
        {
            problem = $"no answer within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception ex)
        {
            problem = ex is SqliteException s ? $"SQLite error {s.SqliteErrorCode}: {s.Message}" : ex.GetType().Name + ": " + ex.Message;
        }

        var before = _problem;
        _problem = problem;
        if (problem is not null && before is null)
        {
            logger.LogWarning("Database {Context} stopped answering ({Problem}); health is NOT_SERVING until it does", typeof(TContext).Name, problem);
        }
        else if (problem is null && before is not null && before != NotAskedYet)
        {
            logger.LogInformation("Database {Context} answers again; health is back to SERVING", typeof(TContext).Name);
        }
    }

    private async Task AskAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Database.SetCommandTimeout(Timeout);
        if (!db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
            return;
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // A short busy wait for this question only (the pragmas are set again on the connection's next open);
            // one statement per command, so that a refused BEGIN surfaces here and ROLLBACK finds its transaction.
            await db.Database.ExecuteSqlRawAsync("PRAGMA busy_timeout=1000;", cancellationToken);
            await db.Database.ExecuteSqlRawAsync("BEGIN IMMEDIATE;", cancellationToken);
            await db.Database.ExecuteSqlRawAsync("ROLLBACK;", cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
