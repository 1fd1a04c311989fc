using Grpc.Core;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Cards;

/// <summary>
/// Keeps the card states current from the registry's <c>WatchCardEvents</c> stream: subscribes
/// after the persisted cursor, applies events in batches (whatever has already arrived, up to
/// <see cref="MaxBatch"/>, in one transaction), and reconnects with capped exponential backoff when
/// the registry is down or the stream breaks. Never lets an exception stop the service.
/// Switched off with <c>Entitlements:ConsumeCardEvents=false</c> (tests feed states directly).
/// </summary>
public sealed class CardEventConsumer(
    IServiceScopeFactory scopes,
    CardStateStore store,
    CardFeedStatus status,
    IConfiguration configuration,
    ILogger<CardEventConsumer> logger) : BackgroundService
{
    public const int MaxBatch = 500;
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(250);
    // Capped like the verification service's feed (2 s): with 15 s, after a registry outage a card
    // reinstated or revoked in the meantime kept its old state here for up to 15 s, so a redemption
    // the verification service had just verified VALID was refused as "card is suspended".
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Entitlements:ConsumeCardEvents", true))
        {
            logger.LogInformation("Card event feed consumer disabled by configuration");
            return;
        }

        await Task.Yield(); // let the host finish starting
        var backoff = InitialBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await ConsumeOnceAsync(stoppingToken))
                {
                    backoff = InitialBackoff;
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException ex)
            {
                logger.LogWarning("Card event feed unavailable ({StatusCode}: {Detail}); retrying in {Backoff}", ex.StatusCode, ex.Status.Detail, backoff);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Card event feed failed; retrying in {Backoff}", backoff);
            }

            status.SetCaughtUp(false);
            try
            {
                // Jitter so several replicas do not reconnect in lock step.
                await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>One subscription, until the stream ends or fails. True when it delivered anything.</summary>
    private async Task<bool> ConsumeOnceAsync(CancellationToken ct)
    {
        var after = await store.GetCursorAsync(ct);
        using var scope = scopes.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<TalentRegistryService.TalentRegistryServiceClient>();

        // A stream that lives as long as the service: no deadline (the unary default does not apply to streams).
        using var call = client.WatchCardEvents(new WatchCardEventsRequest { AfterSequence = after }, cancellationToken: ct);
        var stream = call.ResponseStream;
        var batch = new List<CardEvent>();
        var delivered = false;
        var next = stream.MoveNext(ct);
        while (await next)
        {
            delivered = true;
            var message = stream.Current;
            if (message.Event is { } e && e.Sequence > after)
            {
                batch.Add(e);
            }

            next = stream.MoveNext(ct);

            // Apply when nothing more is already waiting (live events go in at once) or the batch is full (backlog).
            if (batch.Count >= MaxBatch || (batch.Count > 0 && !next.IsCompleted))
            {
                after = await store.ApplyAsync(batch, ct);
                batch.Clear();
            }

            if (message.CaughtUp && batch.Count == 0)
            {
                if (!status.CaughtUp)
                {
                    logger.LogInformation("Card event feed caught up at sequence {Sequence} (registry head {Head})", after, message.HeadSequence);
                    status.SetCaughtUp(true);
                }

                status.Advance(message.SendTime?.ToDateTimeOffset());
            }
        }

        if (batch.Count > 0)
        {
            await store.ApplyAsync(batch, ct);
        }

        logger.LogInformation("Card event feed ended by the registry; reconnecting");
        return delivered;
    }
}
