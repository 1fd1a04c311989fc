using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// Deletes idempotency records older than <see cref="RegistryOptions.IdempotencyRetention"/> (7 days by
/// default), every <see cref="RegistryOptions.IdempotencyPurgeInterval"/>. A
/// retry after that period is treated as a new request; the store keeps no more than a retry needs
/// (issue 25). The time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class IdempotencyPurge(
    IServiceScopeFactory scopes,
    IOptions<RegistryOptions> options,
    TimeProvider time,
    ILogger<IdempotencyPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.IdempotencyPurgeInterval > TimeSpan.Zero ? options.Value.IdempotencyPurgeInterval : TimeSpan.FromHours(1);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // First wait, then purge: the service migrates its database while starting.
                await Task.Delay(interval, time, stoppingToken);
                try
                {
                    var deleted = await PurgeAsync(stoppingToken);
                    if (deleted > 0)
                    {
                        logger.LogInformation("Purged {Count} idempotency records older than {Retention}", deleted, options.Value.IdempotencyRetention);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Purging old idempotency records failed ({ExceptionType}); retrying in {Interval}", ex.GetType().Name, interval);
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
        var db = scope.ServiceProvider.GetRequiredService<TalentRegistryDbContext>();
        var cutoff = time.GetUtcNow() - options.Value.IdempotencyRetention;
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
