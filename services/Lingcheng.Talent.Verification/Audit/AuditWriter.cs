using System.Data.Common;
using System.Threading.Channels;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Audit;

/// <summary>What the holder's "who verified my card" list keeps of an audited attempt.</summary>
public sealed record CardVerificationNote(string CardNumber, string AgencyCode, string Outcome, string Action, string? BenefitCode);

/// <summary>
/// The audit trail of every verify and redeem (SPEC §7.4), durable before the answer returns and
/// cheap enough not to be the bottleneck (SPEC §7.1). Callers queue their record and await it;
/// one background writer takes everything queued (up to <c>Verification:AuditBatchSize</c>),
/// chains the records with <see cref="AuditChain.Next"/> from the last hash it keeps in memory,
/// and commits them in ONE transaction (group commit): under load a single fsync covers many
/// verifies. The rows are written with plain ADO.NET through the context's connection: EF Core's
/// change tracking would cost about 15 × more per row on this hot path (shared/TIPS.md).
/// When another replica shares the database (SQL Server) and took the same sequence, the batch
/// fails on the primary key; the writer reloads the last record and chains the batch again.
/// </summary>
public sealed class AuditWriter(
    IDbContextFactory<VerificationDbContext> contexts,
    TimeProvider time,
    IOptions<VerificationOptions> options,
    ILogger<AuditWriter> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private AuditRecord? _last;

    private sealed record Pending(AuditEntry Entry, CardVerificationNote? Card, TaskCompletionSource<long> Done);

    /// <summary>
    /// Queues a record and completes with its sequence once it is committed. Throws when the
    /// record could not be stored: then the caller must not give its answer.
    /// </summary>
    public Task<long> AppendAsync(AuditEntry entry, CardVerificationNote? card = null)
    {
        var pending = new Pending(entry, card, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException<long>(new InvalidOperationException("The audit writer has stopped."));
        }

        return pending.Done.Task;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _last = await LoadLastAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let queued records reach the disk before the process ends.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>();
        var max = Math.Max(1, options.Value.AuditBatchSize);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < max && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await CommitAsync(batch);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var records = new List<AuditRecord>(batch.Count);
            var previous = _last;
            var now = time.GetUtcNow();
            foreach (var p in batch)
            {
                previous = AuditChain.Next(previous, p.Entry, now);
                records.Add(previous);
            }

            try
            {
                await WriteAsync(batch, records);
                _last = previous;
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(records[i].Sequence);
                }

                return;
            }
            catch (Exception ex) when (attempt < 4)
            {
                logger.LogWarning("Audit batch of {Count} failed (attempt {Attempt}, {Problem}); reloading the chain head", batch.Count, attempt, ex.GetType().Name);
                await Task.Delay(20 * attempt);
                try
                {
                    _last = await LoadLastAsync(CancellationToken.None);
                }
                catch (Exception reload)
                {
                    logger.LogWarning("Reloading the audit chain head failed: {Problem}", reload.GetType().Name);
                }
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Audit batch of {Count} could not be stored; the calls fail", batch.Count);
                foreach (var p in batch)
                {
                    p.Done.TrySetException(new InvalidOperationException("The audit record could not be stored.", ex));
                }

                return;
            }
        }
    }

    private async Task WriteAsync(List<Pending> batch, List<AuditRecord> records)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        if (options.Value.AuditSkipsFsync && db.Database.IsSqlite())
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous=NORMAL;"; // this connection only; reset to FULL when it is opened again
            await pragma.ExecuteNonQueryAsync();
        }

        await using var tx = await connection.BeginTransactionAsync();

        await using var audit = connection.CreateCommand();
        audit.Transaction = tx;
        audit.CommandText = "INSERT INTO [AuditRecords] ([Sequence], [OccurredAt], [Principal], [Agency], [Action], [Target], [Outcome], [Detail], [PreviousHash], [Hash]) "
            + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9)";
        var a = Parameters(audit, 10);

        await using var card = connection.CreateCommand();
        card.Transaction = tx;
        card.CommandText = "INSERT INTO [CardVerifications] ([AuditSequence], [CardNumber], [OccurredAt], [AgencyCode], [Outcome], [Action], [BenefitCode]) "
            + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)";
        var c = Parameters(card, 7);

        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            Set(a, r.Sequence, r.OccurredAt, r.Principal, r.Agency, r.Action, r.Target, r.Outcome, r.Detail, r.PreviousHash, r.Hash);
            await audit.ExecuteNonQueryAsync();
            if (batch[i].Card is { } note)
            {
                Set(c, r.Sequence, note.CardNumber, r.OccurredAt, note.AgencyCode, note.Outcome, note.Action, note.BenefitCode);
                await card.ExecuteNonQueryAsync();
            }
        }

        await tx.CommitAsync();
    }

    private static DbParameter[] Parameters(DbCommand command, int count)
    {
        var parameters = new DbParameter[count];
        for (var i = 0; i < count; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = "@p" + i;
            command.Parameters.Add(parameters[i]);
        }

        return parameters;
    }

    private static void Set(DbParameter[] parameters, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private async Task<AuditRecord?> LoadLastAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AuditRecords.AsNoTracking().OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(cancellationToken);
    }
}
