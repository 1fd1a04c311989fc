using Lingcheng.Talent.Verification.Benefits;
using Lingcheng.Talent.Verification.CardStates;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lingcheng.Talent.Verification.Health;

/// <summary>
/// The verification service is ready when it answers as a replica that has been running all along
/// would answer now (docs/operations.md §1, "Health"):
/// <list type="bullet">
/// <item><description>card states: the registry's feed has caught up since this process started; or the
/// registry cannot be reached and states stored by an earlier run were loaded — a running replica also
/// answers from its copy during a registry outage (degraded, with <c>state_as_of</c> showing the age).
/// A replica that has neither would answer UNKNOWN_CARD for every card, so it is not ready.</description></item>
/// <item><description>usage: the entitlement service's stream has caught up since start; or that service
/// cannot be reached — Verify then answers benefits UNAVAILABLE, as every replica does during its outage.
/// A stream still replaying is not ready: until it catches up every verify would call the entitlement
/// service.</description></item>
/// </list>
/// Once ready for these reasons it stays so: losing a feed later is an outage of the other service,
/// which every replica shares, not a reason to take this one out of rotation.
/// </summary>
public sealed class FeedReadiness(CardStateCache cache, CardFeedConsumer cards, UsageFeedConsumer usage) : IHealthCheck
{
    private volatile bool _ready;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_ready)
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        var cardsReady = cache.CaughtUp || (cards.SourceUnreachable && cards.ResumedFromStore);
        var usageReady = usage.CaughtUpOnce || usage.SourceUnreachable;
        return Task.FromResult((cardsReady, usageReady) switch
        {
            (true, true) => Latch(),
            (false, _) => HealthCheckResult.Unhealthy(cards.SourceUnreachable
                ? "card states: the registry cannot be reached and no stored states were loaded"
                : "card states: the registry's feed has not caught up yet"),
            _ => HealthCheckResult.Unhealthy("usage: the entitlement service's stream has not caught up yet"),
        });
    }

    private HealthCheckResult Latch()
    {
        _ready = true;
        return HealthCheckResult.Healthy();
    }
}
