using Grpc.Core;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Verification.Options;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Benefits;

/// <summary>
/// Keeps <see cref="BenefitReplica"/> current from the entitlement service's <c>WatchUsage</c>
/// stream. The copy lives in memory only: at start the stream replays the usage log from the
/// beginning (one small row per use of a counted benefit), and until it has caught up Verify asks
/// the entitlement service. A lost or silent stream (no heartbeat within
/// <c>Verification:FeedIdleTimeoutSeconds</c>) takes the copy out of service and is retried with backoff.
/// </summary>
public sealed class UsageFeedConsumer(
    BenefitReplica replica,
    EntitlementService.EntitlementServiceClient entitlements,
    IOptions<VerificationOptions> options,
    ILogger<UsageFeedConsumer> logger) : BackgroundService
{
    private volatile bool _connected;

    /// <summary>True once the stream has caught up since this process started (the copy has been complete at least once).</summary>
    public bool CaughtUpOnce { get; private set; }

    /// <summary>True when the last attempt to open the stream failed before any message: the entitlement service cannot be reached.</summary>
    public bool SourceUnreachable { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await WatchAsync(stoppingToken))
                {
                    backoff = TimeSpan.FromMilliseconds(100);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException or HttpRequestException)
            {
                SourceUnreachable = !_connected;
                logger.LogWarning("Usage feed interrupted ({Problem}); benefits come from the entitlement service until it is back; reconnecting in {Delay} ms",
                    ex is RpcException r ? r.StatusCode.ToString() : ex.GetType().Name, (int)backoff.TotalMilliseconds);
            }
            finally
            {
                replica.Live = false;
                _connected = false;
            }

            try
            {
                await Task.Delay(backoff, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromMilliseconds(Math.Min(2000, backoff.TotalMilliseconds * 2));
        }
    }

    /// <summary>One subscription; returns when the stream ends. True when at least one message arrived.</summary>
    private async Task<bool> WatchAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromSeconds(Math.Max(2, options.Value.FeedIdleTimeoutSeconds));
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        watchdog.CancelAfter(idle);
        using var call = entitlements.WatchUsage(new WatchUsageRequest { AfterSequence = replica.LastSequence }, cancellationToken: watchdog.Token);
        var received = false;
        await foreach (var message in call.ResponseStream.ReadAllAsync(watchdog.Token))
        {
            watchdog.CancelAfter(idle);
            received = true;
            _connected = true;
            SourceUnreachable = false;
            if (message.HasCatalogue)
            {
                replica.SetCatalogue(message.Benefits);
            }

            replica.Apply(message.Changes);
            if (message.CaughtUp)
            {
                if (message.HeadSequence < replica.LastSequence)
                {
                    // The entitlement service's log is shorter than what we hold: it was started anew. Replay it.
                    logger.LogWarning("Usage feed head {Head} is behind the copy ({Last}); replaying from the beginning", message.HeadSequence, replica.LastSequence);
                    replica.Clear();
                    return true;
                }

                if (!replica.Live)
                {
                    logger.LogInformation("Usage feed caught up at sequence {Sequence}; benefits are answered from memory", replica.LastSequence);
                }

                replica.Live = true;
                CaughtUpOnce = true;
            }
        }

        return received;
    }
}
