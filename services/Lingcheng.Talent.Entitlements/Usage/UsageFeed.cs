using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.Entitlements.Catalogue;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Feeds;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Usage;

/// <summary>
/// The usage feed (<c>WatchUsage</c>): the catalogue, the counter changes after a sequence, a
/// caught-up marker, then live changes and the catalogue again after each edit, with heartbeat
/// markers while idle (<see cref="FeedProducer"/>: the loop both feeds share). The verification service keeps a replica of it to answer a card's benefits
/// without a call per verify (SPEC §7.1).
/// </summary>
public sealed class UsageFeed(IDbContextFactory<EntitlementDbContext> contexts, CommitSignal signal, TimeProvider time, IConfiguration configuration)
{
    private const int BatchSize = 1000;

    /// <summary>Appends the change of a counter (read after the write) to the log, in the caller's transaction; returns its sequence.</summary>
    public static async Task<long> AppendAsync(EntitlementDbContext db, string cardNumber, string benefitCode, string period, DateTimeOffset now, CancellationToken ct)
    {
        var used = await db.UsageCounters.AsNoTracking()
            .Where(u => u.CardNumber == cardNumber && u.BenefitCode == benefitCode && u.Period == period)
            .Select(u => u.Used).FirstOrDefaultAsync(ct);
        var sequence = (await db.UsageChanges.MaxAsync(c => (long?)c.Sequence, ct) ?? 0) + 1;
        db.UsageChanges.Add(new UsageChangeEntity { Sequence = sequence, CardNumber = cardNumber, BenefitCode = benefitCode, Period = period, Used = used, OccurredAt = now });
        return sequence;
    }

    public async Task WatchAsync(WatchUsageRequest request, IServerStreamWriter<WatchUsageResponse> stream, CancellationToken cancellationToken)
    {
        if (request.AfterSequence < 0)
        {
            throw RpcErrors.InvalidArgument("after_sequence", "must be 0 or more");
        }

        var poll = TimeSpan.FromMilliseconds(Math.Max(10, configuration.GetValue("Entitlements:UsagePollMilliseconds", 250)));
        var heartbeat = TimeSpan.FromSeconds(Math.Max(0.1, configuration.GetValue("Entitlements:UsageHeartbeatSeconds", 5.0)));
        var last = request.AfterSequence;
        long? catalogueVersion = null;

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await FeedProducer.RunAsync(signal, time, poll, heartbeat,
            async ct =>
            {
                // Every edit raises a benefit's revision, so their sum changes with any edit.
                var version = await db.Benefits.SumAsync(b => b.Revision, ct);
                if (version != catalogueVersion)
                {
                    var benefits = await db.Benefits.AsNoTracking().OrderBy(b => b.SortOrder).ToListAsync(ct);
                    var message = new WatchUsageResponse { HasCatalogue = true, HeadSequence = last, SendTime = Now() };
                    message.Benefits.AddRange(benefits.Select(b => b.ToProto()));
                    await stream.WriteAsync(message, ct);
                    catalogueVersion = version;
                }

                var batch = await db.UsageChanges.AsNoTracking()
                    .Where(c => c.Sequence > last)
                    .OrderBy(c => c.Sequence)
                    .Take(BatchSize)
                    .ToListAsync(ct);
                if (batch.Count == 0)
                {
                    return false;
                }

                last = batch[^1].Sequence;
                var changes = new WatchUsageResponse { HeadSequence = last, SendTime = Now() };
                changes.Changes.AddRange(batch.Select(c => new UsageChange
                {
                    Sequence = c.Sequence,
                    CardNumber = c.CardNumber,
                    BenefitCode = c.BenefitCode,
                    Period = c.Period,
                    Used = c.Used,
                }));
                await stream.WriteAsync(changes, ct);
                return batch.Count == BatchSize;
            },
            (now, ct) => stream.WriteAsync(new WatchUsageResponse { CaughtUp = true, HeadSequence = last, SendTime = Timestamp.FromDateTimeOffset(now) }, ct),
            cancellationToken);
    }

    private Timestamp Now() => Timestamp.FromDateTimeOffset(time.GetUtcNow());
}
