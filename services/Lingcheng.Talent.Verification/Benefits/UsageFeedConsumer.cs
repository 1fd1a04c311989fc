using Grpc.Core;
using Lingcheng.Talent.ServiceDefaults.Feeds;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Verification.Options;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Benefits;

/// <summary>
/// Keeps <see cref="BenefitReplica"/> current from the entitlement service's <c>WatchUsage</c>
/// stream. The copy lives in memory only: at start the stream replays the usage log from the
/// beginning (one small row per use of a counted benefit), and until it has caught up Verify asks
/// the entitlement service. A lost or silent stream (no heartbeat within
/// <c>Verification:FeedIdleTimeoutSeconds</c>) takes the copy out of service and is retried with backoff
/// (<see cref="FeedConsumer{TMessage}"/>).
/// </summary>
public sealed class UsageFeedConsumer(
    BenefitReplica replica,
    EntitlementService.EntitlementServiceClient entitlements,
    TimeProvider time,
    IOptions<VerificationOptions> options,
    ILogger<UsageFeedConsumer> logger) : FeedConsumer<WatchUsageResponse>(time, logger)
{
    /// <summary>True once the stream has caught up since this process started (the copy has been complete at least once).</summary>
    public bool CaughtUpOnce { get; private set; }

    protected override string FeedName => "Usage feed";

    protected override FeedConsumerOptions Options => FeedConsumerOptions.Default.WithIdleTimeoutSeconds(options.Value.FeedIdleTimeoutSeconds);

    protected override Task<AsyncServerStreamingCall<WatchUsageResponse>> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult(entitlements.WatchUsage(new WatchUsageRequest { AfterSequence = replica.LastSequence }, cancellationToken: cancellationToken));

    /// <summary>Benefits come from the entitlement service until the stream has caught up again.</summary>
    protected override void OnDisconnected() => replica.Live = false;

    protected override ValueTask<bool> OnMessageAsync(WatchUsageResponse message, bool moreWaiting, CancellationToken cancellationToken)
    {
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
                Logger.LogWarning("Usage feed head {Head} is behind the copy ({Last}); replaying from the beginning", message.HeadSequence, replica.LastSequence);
                replica.Clear();
                return ValueTask.FromResult(false);
            }

            if (!replica.Live)
            {
                Logger.LogInformation("Usage feed caught up at sequence {Sequence}; benefits are answered from memory", replica.LastSequence);
            }

            replica.Live = true;
            CaughtUpOnce = true;
        }

        return ValueTask.FromResult(true);
    }
}
