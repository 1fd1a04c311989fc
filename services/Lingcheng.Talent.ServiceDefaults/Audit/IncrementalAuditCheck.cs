using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Audit;

/// <summary>
/// VerifyAuditChain without re-hashing the whole table on every call (issue 25, item 10). The first call of a
/// process hashes every record, as before, and remembers (in memory, out of the database's reach) the last record it
/// found intact. A later call then
/// <list type="number">
/// <item>reads back that record and the records at the latest signed checkpoints up to it (a few indexed rows): a
/// table cut short, or rewritten with fresh hashes through any of them, no longer carries the remembered hashes;</item>
/// <item>re-hashes the next window of <c>Audit:VerifySweepRecords</c> earlier records (10 000 by default), moving on at
/// each call and starting over at the end, so an edit that left its hash column alone is found within
/// (chain length ÷ window) calls;</item>
/// <item>hashes the records added since, linked to the remembered one and checked against the newer checkpoints.</item>
/// </list>
/// Anything out of place in these steps, or the first call, runs the full check, whose report says what and where.
/// The records hashed by each call are logged and counted (meter <c>Lingcheng.Talent</c>, counter
/// <c>lingcheng.audit.records_hashed</c>).
/// </summary>
public static class IncrementalAuditCheck
{
    private static readonly Meter Meter = new("Lingcheng.Talent");
    private static readonly Counter<long> Hashed = Meter.CreateCounter<long>("lingcheng.audit.records_hashed", "{record}", "Audit records hashed by VerifyAuditChain");

    /// <summary>How many checkpoints at or below the remembered record are compared at each call (the latest ones).</summary>
    private const int RecentCheckpoints = 100;

    /// <summary>What a process knows of a chain it verified: its last intact record and where the next sweep window starts.</summary>
    internal sealed record Verified(long Sequence, string Hash, long SweepFrom);

    public static async Task<AuditChainReport> VerifyAsync(
        DbContext db, string chain, AuditCheckpoints store, IReadOnlyList<AuditCheckpoint> checkpoints, IServiceProvider services, CancellationToken ct)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Lingcheng.Talent.Audit");
        var records = db.Set<AuditRecord>().AsNoTracking();
        long hashed = 0;
        AuditChainReport? report = null;

        if (store.Verified.TryGetValue(chain, out var known))
        {
            report = await IncrementAsync(db, known, store, chain, checkpoints, n => hashed += n, ct);
        }

        var mode = report is null ? "full" : "incremental";
        if (report is null)
        {
            AuditRecord? lastSeen = null;
            long count = 0;
            report = await AuditChain.VerifyAsync(records.OrderBy(r => r.Sequence).AsAsyncEnumerable(), checkpoints, ct, seen: r => (lastSeen, count) = (r, count + 1));
            hashed += report.Intact ? count : report.RecordsChecked + 1;
            if (report.Intact && lastSeen is not null)
            {
                store.Verified[chain] = new Verified(lastSeen.Sequence, lastSeen.Hash, 1);
            }
            else
            {
                store.Verified.TryRemove(chain, out _);
            }
        }

        Hashed.Add(hashed, new KeyValuePair<string, object?>("chain", chain));
        logger.LogInformation("VerifyAuditChain of {Chain}: {Hashed} records hashed ({Mode} check), {Total} records in the chain, {Outcome}",
            chain, hashed, mode, report.RecordsChecked, report.Intact ? "intact" : "BROKEN");
        if (mode == "incremental")
        {
            report.Detail = report.Detail.TrimEnd('.') + $" ({hashed} hashed in this check; the others were hashed earlier and are re-hashed window by window).";
        }

        return report;
    }

    /// <summary>The cheap check from a remembered record; null when the full check must run.</summary>
    private static async Task<AuditChainReport?> IncrementAsync(
        DbContext db, Verified known, AuditCheckpoints store, string chain, IReadOnlyList<AuditCheckpoint> checkpoints, Action<long> hashed, CancellationToken ct)
    {
        var records = db.Set<AuditRecord>().AsNoTracking();

        // 1. The remembered record and the latest checkpoints up to it still carry the hashes they had.
        var anchors = checkpoints.Where(c => c.Sequence <= known.Sequence).OrderByDescending(c => c.Sequence).Take(RecentCheckpoints).ToList();
        var wanted = anchors.Select(c => c.Sequence).Append(known.Sequence).Distinct().ToList();
        var stored = await records.Where(r => wanted.Contains(r.Sequence)).Select(r => new { r.Sequence, r.Hash }).ToDictionaryAsync(r => r.Sequence, r => r.Hash, ct);
        if (!stored.TryGetValue(known.Sequence, out var head) || head != known.Hash
            || anchors.Any(c => !stored.TryGetValue(c.Sequence, out var h) || h != c.Hash))
        {
            return null;
        }

        // 2. The next window of earlier records, re-hashed (with the record before it, whose link the window's first checks).
        var window = Math.Max(1, store.SweepRecords);
        var from = Math.Max(1, known.SweepFrom - 1);
        var to = Math.Min(known.Sequence, known.SweepFrom + window - 1);
        long swept = 0;
        var sweep = await AuditChain.VerifyAsync(
            records.Where(r => r.Sequence >= from && r.Sequence <= to).OrderBy(r => r.Sequence).AsAsyncEnumerable(), [], ct, from, seen: _ => swept++);
        hashed(swept);
        if (!sweep.Intact || swept != to - from + 1)
        {
            return null;
        }

        // 3. What was added since, linked to the remembered record and checked against the newer checkpoints.
        AuditRecord? last = null;
        long added = 0;
        var fresh = await AuditChain.VerifyAsync(
            records.Where(r => r.Sequence > known.Sequence).OrderBy(r => r.Sequence).AsAsyncEnumerable(),
            checkpoints, ct, known.Sequence + 1, known.Hash, r => (last, added) = (r, added + 1));
        hashed(added);
        if (!fresh.Intact)
        {
            return null;
        }

        var total = last?.Sequence ?? known.Sequence;
        var next = to >= known.Sequence ? 1 : to + 1;
        store.Verified[chain] = new Verified(total, last?.Hash ?? known.Hash, next);
        var all = checkpoints.Count;
        var newest = checkpoints.MaxBy(c => c.Sequence);
        var anchored = newest is null ? "" : $", matching {all} signed checkpoints (the last at record {newest.Sequence}, signed at {newest.SignedAt:u})";
        return new AuditChainReport
        {
            Intact = true,
            RecordsChecked = total,
            CheckpointsChecked = all,
            Detail = $"Chain intact: {total} records checked{anchored}.",
        };
    }
}
