using System.Threading.Channels;
using Grpc.Core;
using Lingcheng.Talent.ServiceDefaults.Feeds;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Options;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.CardStates;

/// <summary>
/// Keeps <see cref="CardStateCache"/> current from the registry's <c>WatchCardEvents</c> feed
/// (SPEC §5.3, brief "card events"). At start it loads the stored card states and the last
/// sequence, then subscribes after that sequence, so a restart resumes instead of replaying.
/// Each event is applied to memory the moment it arrives (a revocation is refused within
/// milliseconds of its push) and stored afterwards by a second loop that writes everything
/// queued in one transaction. A crash between the two replays those events on the next start,
/// which is harmless: applying is idempotent. The subscription loop, its idle watchdog
/// (<c>Verification:FeedIdleTimeoutSeconds</c>) and the reconnect backoff are
/// <see cref="FeedConsumer{TMessage}"/>'s; while the registry is down the cache keeps serving and
/// <see cref="CardStateCache.StateAsOf"/> ages.
/// </summary>
public sealed class CardFeedConsumer(
    CardStateCache cache,
    Trust.TrustListSource trust,
    TalentRegistryService.TalentRegistryServiceClient registry,
    IDbContextFactory<VerificationDbContext> contexts,
    TimeProvider time,
    IOptions<VerificationOptions> options,
    ILogger<CardFeedConsumer> logger) : FeedConsumer<WatchCardEventsResponse>(time, logger)
{
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly record struct PendingWrite(CardEvent? Event, DateTimeOffset MessageTime);

    private long _trustListVersion;

    /// <summary>True when an earlier run stored what it had heard from the registry, and it was loaded at start.</summary>
    public bool ResumedFromStore { get; private set; }

    protected override string FeedName => "Card event feed";

    protected override FeedConsumerOptions Options => FeedConsumerOptions.Default.WithIdleTimeoutSeconds(options.Value.FeedIdleTimeoutSeconds);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Loaded before the service takes calls, so the first verify after a restart already knows every card.
        await LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    internal async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var cursor = await db.FeedCursor.AsNoTracking().SingleOrDefaultAsync(c => c.Id == 1, cancellationToken);
        var count = 0;
        await foreach (var c in db.CardStates.AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            cache.Load(c.CardNumber, c.Version, (CardState)c.State, (Tier)c.Tier, c.HolderDisplayName, DateTimeOffset.FromUnixTimeSeconds(c.ExpiresAtUnixSeconds));
            count++;
        }

        ResumedFromStore = cursor is { StateAsOfUtcTicks: > 0 }; // written only after an earlier run heard the registry
        cache.LoadCursor(cursor?.LastSequence ?? 0, cursor is { StateAsOfUtcTicks: > 0 } ? new DateTimeOffset(cursor.StateAsOfUtcTicks, TimeSpan.Zero) : null);
        Logger.LogInformation("Card state cache loaded: {Count} cards, resuming after sequence {Sequence}", count, cursor?.LastSequence ?? 0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writer = Task.Run(() => WriteLoopAsync(stoppingToken), CancellationToken.None);
        await base.ExecuteAsync(stoppingToken);
        _writes.Writer.TryComplete();
        await writer;
    }

    protected override Task<AsyncServerStreamingCall<WatchCardEventsResponse>> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult(registry.WatchCardEvents(new WatchCardEventsRequest { AfterSequence = cache.LastSequence }, cancellationToken: cancellationToken));

    protected override void OnConnected() =>
        Logger.LogInformation("Card event feed connected after sequence {Sequence}", cache.LastSequence);

    protected override ValueTask<bool> OnMessageAsync(WatchCardEventsResponse message, bool moreWaiting, CancellationToken cancellationToken)
    {
        var messageTime = message.SendTime?.ToDateTimeOffset() ?? Time.GetUtcNow();
        if (message.TrustListVersion != 0 && message.TrustListVersion != _trustListVersion)
        {
            // A key was rotated or revoked (or this is a new connection): fetch the trust list now,
            // beside the feed, so a revoked key is refused within the feed's latency.
            _trustListVersion = message.TrustListVersion;
            _ = RefreshTrustListAsync(cancellationToken);
        }

        if (message.Event is { } e)
        {
            var expected = cache.LastSequence + 1;
            if (cache.Apply(e, messageTime))
            {
                if (e.Sequence != expected)
                {
                    Logger.LogWarning("Card event feed skipped from {Expected} to {Sequence}", expected, e.Sequence);
                }

                _writes.Writer.TryWrite(new PendingWrite(e, messageTime));
            }
        }
        else if (message.CaughtUp)
        {
            var first = !cache.CaughtUp;
            cache.Heartbeat(messageTime, caughtUp: true);
            _writes.Writer.TryWrite(new PendingWrite(null, messageTime));
            if (first)
            {
                Logger.LogInformation("Card event feed caught up at sequence {Sequence} ({Count} cards)", message.HeadSequence, cache.Count);
            }
        }

        return ValueTask.FromResult(true);
    }

    private async Task RefreshTrustListAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(10));
            if (!await trust.RefreshAsync(deadline.Token))
            {
                _trustListVersion = 0; // try again at the next message
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException)
        {
            _trustListVersion = 0;
        }
        catch (Exception ex)
        {
            _trustListVersion = 0;
            Logger.LogWarning(ex, "Trust list refresh after a feed notice failed");
        }
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var reader = _writes.Reader;
        var batch = new List<PendingWrite>();
        while (await WaitAsync(reader))
        {
            batch.Clear();
            while (batch.Count < 2000 && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await PersistAsync(batch, CancellationToken.None);
                    break;
                }
                catch (Exception ex) when (attempt < 5 && ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
                {
                    Logger.LogWarning(ex, "Storing card states failed (attempt {Attempt}); retrying", attempt);
                    await Task.Delay(200 * attempt, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    // The memory cache is right; only the restart point lags. The next batch stores later states.
                    Logger.LogError(ex, "Storing {Count} card events failed; they will be replayed after a restart", batch.Count);
                    break;
                }
            }
        }

        static async Task<bool> WaitAsync(ChannelReader<PendingWrite> reader)
        {
            try
            {
                return await reader.WaitToReadAsync(CancellationToken.None);
            }
            catch (ChannelClosedException)
            {
                return false;
            }
        }
    }

    private async Task PersistAsync(List<PendingWrite> batch, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, CardEvent>(StringComparer.Ordinal);
        long lastSequence = 0;
        var stateAsOf = DateTimeOffset.MinValue;
        foreach (var item in batch)
        {
            if (item.Event is { } e)
            {
                latest[e.CardNumber] = e;
                lastSequence = Math.Max(lastSequence, e.Sequence);
            }

            if (item.MessageTime > stateAsOf)
            {
                stateAsOf = item.MessageTime;
            }
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (latest.Count > 0)
        {
            var numbers = latest.Keys.ToList();
            var existing = await db.CardStates.Where(c => numbers.Contains(c.CardNumber)).ToDictionaryAsync(c => c.CardNumber, cancellationToken);
            foreach (var (number, e) in latest)
            {
                if (!existing.TryGetValue(number, out var entity))
                {
                    entity = new CardStateEntity { CardNumber = number, HolderDisplayName = "", TalentId = "" };
                    db.CardStates.Add(entity);
                }
                else if (entity.Sequence >= e.Sequence)
                {
                    continue;
                }

                entity.Version = e.CardVersion;
                entity.State = (int)e.State;
                entity.Tier = (int)e.Tier;
                entity.HolderDisplayName = e.HolderDisplayName ?? "";
                entity.ExpiresAtUnixSeconds = e.ExpireTime?.ToDateTimeOffset().ToUnixTimeSeconds() ?? 0;
                entity.TalentId = e.TalentId ?? "";
                entity.Sequence = e.Sequence;
            }
        }

        var cursor = await db.FeedCursor.SingleOrDefaultAsync(c => c.Id == 1, cancellationToken);
        if (cursor is null)
        {
            cursor = new FeedCursorEntity { Id = 1 };
            db.FeedCursor.Add(cursor);
        }

        cursor.LastSequence = Math.Max(cursor.LastSequence, lastSequence);
        cursor.StateAsOfUtcTicks = Math.Max(cursor.StateAsOfUtcTicks, stateAsOf.UtcTicks);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
