using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Registry.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Keys;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Feeds;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Registry.Events;

/// <summary>
/// The card event feed: <see cref="WatchAsync"/> streams the history after a sequence, a
/// caught-up marker, then live events (woken by <see cref="CommitSignal"/> on commit in this
/// process, and by a database poll for other replicas), with heartbeat markers while idle
/// (<see cref="FeedProducer"/>: the loop both feeds share). Every message carries the trust-list
/// version, and a marker goes out as soon as it changes, so the verifiers re-fetch the trust list
/// within the feed's latency after a key is revoked.
/// Also builds the signed revocation snapshot for offline verifiers.
/// </summary>
public sealed class CardEventFeed(
    IDbContextFactory<TalentRegistryDbContext> contexts,
    CommitSignal signal,
    KeyRing keys,
    TimeProvider time,
    IOptions<RegistryOptions> options)
{
    private const int BatchSize = 500;

    public async Task WatchAsync(WatchCardEventsRequest request, IServerStreamWriter<WatchCardEventsResponse> stream, CancellationToken cancellationToken)
    {
        if (request.AfterSequence < 0)
        {
            throw RpcErrors.InvalidArgument("after_sequence", "must be 0 or more");
        }

        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.EventPollMilliseconds));
        var heartbeat = TimeSpan.FromSeconds(Math.Max(0.1, options.Value.EventHeartbeatSeconds));
        var last = request.AfterSequence;
        long trustVersion = -1, sentTrustVersion = -1;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await FeedProducer.RunAsync(signal, time, poll, heartbeat,
            async ct =>
            {
                trustVersion = await TrustListVersionAsync(db, ct);
                var batch = await db.CardEvents.AsNoTracking()
                    .Where(e => e.Sequence > last)
                    .OrderBy(e => e.Sequence)
                    .Take(BatchSize)
                    .ToListAsync(ct);
                foreach (var e in batch)
                {
                    last = e.Sequence;
                    await stream.WriteAsync(new WatchCardEventsResponse
                    {
                        Event = CardStates.ToProto(e),
                        HeadSequence = last,
                        SendTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
                        TrustListVersion = trustVersion,
                    }, ct);
                }

                return batch.Count == BatchSize;
            },
            async (now, ct) =>
            {
                await stream.WriteAsync(new WatchCardEventsResponse { CaughtUp = true, HeadSequence = last, SendTime = Timestamp.FromDateTimeOffset(now), TrustListVersion = trustVersion }, ct);
                sentTrustVersion = trustVersion;
            },
            cancellationToken,
            markerDue: () => trustVersion != sentTrustVersion); // a rotated or revoked key is told at once, not at the next heartbeat
    }

    /// <summary>
    /// A number that grows with every change of the key ring: keys are only added, and a key's status
    /// only moves forward (active → retired → revoked, or active → revoked), so the sum of
    /// (status + 1) over the keys rises at each rotation or revocation, on whichever replica it ran.
    /// </summary>
    internal static async Task<long> TrustListVersionAsync(TalentRegistryDbContext db, CancellationToken cancellationToken) =>
        await db.SigningKeys.AsNoTracking().SumAsync(k => (long)k.Status + 1, cancellationToken);

    /// <summary>
    /// The signed revocation snapshot: every revoked or suspended card, and every card in force
    /// that was re-issued (its minimum valid version), as of the latest event; with
    /// <paramref name="sinceSequence"/> &gt; 0 only the cards changed after that sequence.
    /// </summary>
    public async Task<GetRevocationSnapshotResponse> GetSnapshotAsync(long sinceSequence, CancellationToken cancellationToken)
    {
        var key = await keys.GetActiveKeyAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // One read transaction: the head sequence and the card states are of the same moment.
        await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var head = await db.CardEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        if (sinceSequence < 0 || sinceSequence > head)
        {
            throw RpcErrors.InvalidArgument("since_sequence", $"must be 0–{head} (the latest event sequence)");
        }

        var query = db.Cards.AsNoTracking();
        query = sinceSequence > 0
            ? query.Where(c => c.LastEventSequence > sinceSequence)
            : query.Where(c => c.State != (int)CardState.Active || c.Version > 1);
        var cards = await query.Select(c => new { c.CardNumber, c.State, c.Version }).ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var entries = cards.Select(c => new RevocationEntry(
            c.CardNumber,
            c.State switch
            {
                (int)CardState.Revoked => RevocationStatus.Revoked,
                (int)CardState.Suspended => RevocationStatus.Suspended,
                _ => RevocationStatus.Cleared,
            },
            c.Version));
        var now = time.GetUtcNow();
        var snapshot = new RevocationSnapshot(CardToken.Issuer, head, now, sinceSequence > 0 ? sinceSequence : null, entries);
        return new GetRevocationSnapshotResponse
        {
            Snapshot = Google.Protobuf.ByteString.CopyFrom(RevocationSnapshotCodec.Sign(key, snapshot)),
            Sequence = head,
            IsDelta = sinceSequence > 0,
            GenerateTime = Timestamp.FromDateTimeOffset(now),
        };
    }
}
