using Grpc.Core;
using Lingcheng.Talent.ServiceDefaults.Feeds;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Cards;

/// <summary>
/// Keeps the card states current from the registry's <c>WatchCardEvents</c> stream: subscribes
/// after the persisted cursor and applies events in batches (whatever has already arrived, up to
/// <see cref="MaxBatch"/>, in one transaction). The subscription loop is
/// <see cref="FeedConsumer{TMessage}"/>'s: reconnects with capped backoff and jitter when the registry
/// is down or the stream breaks, and an idle watchdog (<c>Entitlements:FeedIdleTimeoutSeconds</c>, 20)
/// reopens a stream that fell silent — before it, a stream that died without closing froze the card
/// states here until the service restarted. Never lets an exception stop the service.
/// Switched off with <c>Entitlements:ConsumeCardEvents=false</c> (tests feed states directly).
/// </summary>
public sealed class CardEventConsumer(
    TalentRegistryService.TalentRegistryServiceClient registry,
    CardStateStore store,
    CardFeedStatus status,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<CardEventConsumer> logger) : FeedConsumer<WatchCardEventsResponse>(time, logger)
{
    public const int MaxBatch = 500;

    private readonly List<CardEvent> _batch = [];
    private long _after;

    protected override string FeedName => "Card event feed";

    // 250 ms doubling to 2 s, capped like the verification service's feed: with 15 s, after a registry outage
    // a card reinstated or revoked in the meantime kept its old state here for up to 15 s, so a redemption
    // the verification service had just verified VALID was refused as "card is suspended".
    protected override FeedConsumerOptions Options => FeedConsumerOptions.Default.WithIdleTimeoutSeconds(configuration.GetValue("Entitlements:FeedIdleTimeoutSeconds", 20.0))
        with { InitialBackoff = TimeSpan.FromMilliseconds(250) };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Entitlements:ConsumeCardEvents", true))
        {
            Logger.LogInformation("Card event feed consumer disabled by configuration");
            return;
        }

        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task<AsyncServerStreamingCall<WatchCardEventsResponse>> OpenAsync(CancellationToken cancellationToken)
    {
        _after = await store.GetCursorAsync(cancellationToken);
        _batch.Clear();
        // A stream that lives as long as the service: no deadline (the unary default does not apply to streams).
        // The client is the service's own (as in the verification service), not one from a scope disposed on return:
        // the call starts after OpenAsync returns, and on a loaded machine it then failed with ObjectDisposedException
        // ("IServiceProvider") at every reconnect, for 20 s in one CI run, while the card states here stood still.
        return registry.WatchCardEvents(new WatchCardEventsRequest { AfterSequence = _after }, cancellationToken: cancellationToken);
    }

    protected override async ValueTask<bool> OnMessageAsync(WatchCardEventsResponse message, bool moreWaiting, CancellationToken cancellationToken)
    {
        if (message.Event is { } e && e.Sequence > _after)
        {
            _batch.Add(e);
        }

        // Apply when nothing more is already waiting (live events go in at once) or the batch is full (backlog).
        if (_batch.Count >= MaxBatch || (_batch.Count > 0 && !moreWaiting))
        {
            _after = await store.ApplyAsync(_batch, cancellationToken);
            _batch.Clear();
        }

        if (message.CaughtUp && _batch.Count == 0)
        {
            if (!status.CaughtUp)
            {
                Logger.LogInformation("Card event feed caught up at sequence {Sequence} (registry head {Head})", _after, message.HeadSequence);
                status.SetCaughtUp(true);
            }

            status.Advance(message.SendTime?.ToDateTimeOffset());
        }

        return true;
    }

    protected override async ValueTask OnStreamEndAsync(bool cleanly, CancellationToken cancellationToken)
    {
        if (cleanly && _batch.Count > 0)
        {
            await store.ApplyAsync(_batch, cancellationToken);
        }

        _batch.Clear();
    }

    protected override void OnDisconnected() => status.SetCaughtUp(false);
}
