using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Audit;

/// <summary>
/// Signs the head of the service's audit chain at start, every <see cref="AuditCheckpoints.Interval"/> while it
/// moves, and at a graceful stop. It reads the head from the database, so it serves the services that append
/// in their own transactions and the verification service's batching writer alike. Before signing it checks the
/// records since its last checkpoint (that checkpoint's record unchanged, then links and hashes): a chain cut short
/// or rewritten since is reported as an error and not signed over. Its failures are logged, never stop the service.
/// </summary>
public sealed class AuditCheckpointer<TContext>(
    IDbContextFactory<TContext> contexts,
    AuditCheckpoints checkpoints,
    TimeProvider time,
    ILogger<AuditCheckpointer<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private string? _lastProblem;
    private AuditCheckpoint? _last;
    private bool _loaded;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HasAuditTrailAsync(stoppingToken) || checkpoints.Key is null)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await CheckpointAsync(stoppingToken);
                await Task.Delay(checkpoints.Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            if (ExecuteTask is { IsCompletedSuccessfully: true } && checkpoints.Key is not null && await HasAuditTrailAsync(cancellationToken))
            {
                await CheckpointAsync(cancellationToken); // the last records before the stop
            }
        }
        catch (OperationCanceledException)
        {
            // The stop's time ran out first: the next start signs them.
        }
        catch (ObjectDisposedException)
        {
            // A second, concurrent stop (a host run in a test process is stopped by the test and by its own RunAsync,
            // which then disposes the services) got there first: the next start signs them.
        }
    }

    /// <summary>Signs the head when it moved since the chain's last checkpoint and the records since are sound.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var chain = AuditCheckpoints.ChainOf(db);
            var records = db.Set<AuditRecord>().AsNoTracking();
            var head = await records.OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            if (!_loaded)
            {
                // Once: the file only grows, and from here on this process knows what it signed itself.
                _last = checkpoints.Read(chain).Checkpoints.OrderByDescending(c => c.Sequence).FirstOrDefault(checkpoints.Key!.Verifies);
                _loaded = true;
            }

            var last = _last;
            if (last is not null && last.Sequence == head.Sequence && last.Hash == head.Hash)
            {
                return;
            }

            if (last is not null)
            {
                var since = records.Where(r => r.Sequence >= last.Sequence).OrderBy(r => r.Sequence).AsAsyncEnumerable();
                var report = await AuditChain.VerifyAsync(since, [last], cancellationToken, from: last.Sequence);
                if (!report.Intact)
                {
                    if (report.Detail != _lastProblem)
                    {
                        logger.LogError("Audit chain {Chain} does not match its last signed checkpoint; no new checkpoint is signed: {Detail}", chain, report.Detail);
                        _lastProblem = report.Detail;
                    }

                    return;
                }
            }

            _last = checkpoints.Append(chain, head, time.GetUtcNow());
            _lastProblem = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Audit checkpoint failed ({Problem}); tried again in {Interval}", ex.Message, checkpoints.Interval);
        }
    }

    private async Task<bool> HasAuditTrailAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return db.Model.FindEntityType(typeof(AuditRecord)) is not null;
    }
}
