using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Data;

/// <summary>
/// Deletes idempotency records (UpdateBenefit's first responses) older than
/// <c>Entitlements:IdempotencyRetention</c> (7 days by default), every
/// <c>Entitlements:IdempotencyPurgeInterval</c> (hourly). A retry after that period is a new request;
/// the store keeps no more than a retry needs (issue 25). The time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class IdempotencyPurge(
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<IdempotencyPurge> logger) : BackgroundService
{
    private readonly TimeSpan _retention = configuration.GetValue("Entitlements:IdempotencyRetention", TimeSpan.FromDays(7));
    private readonly TimeSpan _interval = configuration.GetValue("Entitlements:IdempotencyPurgeInterval", TimeSpan.FromHours(1)) is var i && i > TimeSpan.Zero ? i : TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // First wait, then purge: the service migrates its database while starting.
                await Task.Delay(_interval, time, stoppingToken);
                try
                {
                    var deleted = await PurgeAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        logger.LogInformation("Purged {Count} idempotency records older than {Retention}", deleted, _retention);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Purging old idempotency records failed ({ExceptionType}); retrying in {Interval}", ex.GetType().Name, _interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes the records older than the retention period; returns how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EntitlementDbContext>();
        var cutoff = time.GetUtcNow() - _retention;
        if (db.Database.IsSqlite())
        {
            // SQLite keeps a DateTimeOffset as text, which EF Core does not compare in SQL. Every row is
            // written with the UTC offset, so the text (EF Core's own format) orders as the time does.
            var text = cutoff.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
            return await db.Database.ExecuteSqlAsync($"DELETE FROM IdempotencyRecords WHERE CreatedAt < {text}", cancellationToken);
        }

        return await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
