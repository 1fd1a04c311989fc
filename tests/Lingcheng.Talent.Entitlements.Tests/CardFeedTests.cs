using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.Entitlements.Cards;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>
/// The real feed consumer (BackgroundService) against a stand-in registry on a loopback port:
/// the service stays up while the registry is down, catches up when it comes, applies live events,
/// and resumes from its persisted sequence after an outage.
/// </summary>
public sealed class CardFeedTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CardEvent Issued(string card, Tier tier) => new()
    {
        Type = CardEventType.Issued,
        CardNumber = card,
        CardVersion = 1,
        State = CardState.Active,
        Tier = tier,
        TalentId = "talent-" + card,
        HolderDisplayName = "李*华",
        ExpireTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddYears(3)),
    };

    [Fact]
    public async Task The_service_stays_up_while_the_registry_is_down_then_follows_its_feed_and_resumes_after_an_outage()
    {
        await using var registry = new FakeRegistry();
        await using var service = new EntitlementsHost(new Dictionary<string, string?>
        {
            ["Entitlements:ConsumeCardEvents"] = "true",
            ["Services:Registry"] = registry.Address,
        });
        var card = CardFeed.NewNumber();
        registry.Publish(Issued(card, Tier.B));

        // Registry down: the service answers what does not need it.
        var benefits = await service.Client.ListBenefitsAsync(new ListBenefitsRequest(), service.AsAuditor());
        Assert.Equal(16, benefits.Benefits.Count);
        await Task.Delay(500, TestContext.Current.CancellationToken);

        await registry.StartAsync();
        var entitlements = await EventuallyAsync(service, () => service.Client.ListCardEntitlementsAsync(
            new ListCardEntitlementsRequest { CardNumber = card }, service.AsService()).ResponseAsync, r => r.CardState == CardState.Active);
        Assert.Equal(Tier.B, entitlements.Tier);
        Assert.Equal(RedemptionStatus.Redeemed, (await service.RedeemAsync(card, "FREE_PUBLIC_TRANSIT", "TRANSPORT")).Status);

        // A live revocation is applied and honoured.
        var revoked = Issued(card, Tier.B);
        revoked.Type = CardEventType.Revoked;
        revoked.State = CardState.Revoked;
        registry.Publish(revoked);
        await EventuallyAsync(service, () => service.RedeemAsync(card, "FREE_PUBLIC_TRANSIT", "TRANSPORT"), r => r.Status == RedemptionStatus.CardNotValid);

        // Outage: the consumer reconnects from its stored sequence, not from the start.
        await registry.StopAsync();
        var other = CardFeed.NewNumber();
        registry.Publish(Issued(other, Tier.D));
        await registry.StartAsync();
        var second = await EventuallyAsync(service, () => service.Client.ListCardEntitlementsAsync(
            new ListCardEntitlementsRequest { CardNumber = other }, service.AsService()).ResponseAsync, r => r.CardState == CardState.Active);
        Assert.Equal(Tier.D, second.Tier);
        Assert.Equal(2L, registry.Requests[^1]);
        Assert.Equal(3L, await service.Services.GetRequiredService<CardStateStore>().GetCursorAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_silently_stalled_feed_is_taken_for_dead_by_the_idle_watchdog_and_resumed_where_it_stopped()
    {
        await using var registry = new FakeRegistry();
        await registry.StartAsync();
        await using var proxy = new StallingProxy(registry.Port);
        await using var service = new EntitlementsHost(new Dictionary<string, string?>
        {
            ["Entitlements:ConsumeCardEvents"] = "true",
            ["Services:Registry"] = proxy.Address,
            ["Entitlements:FeedIdleTimeoutSeconds"] = "2",
            // Later than the watchdog (advanced below about a second after the stall): the watchdog notices the
            // stall, the pings retire the dead connection so that the reopened stream gets a new one.
            ["ServiceClients:KeepAlivePingDelaySeconds"] = "4",
            ["ServiceClients:KeepAlivePingTimeoutSeconds"] = "4",
        });
        var consumer = service.Services.GetServices<IHostedService>().OfType<CardEventConsumer>().Single();
        var card = CardFeed.NewNumber();
        registry.Publish(Issued(card, Tier.B));
        await EventuallyAsync(service, () => service.Client.ListCardEntitlementsAsync(
            new ListCardEntitlementsRequest { CardNumber = card }, service.AsService()).ResponseAsync, r => r.CardState == CardState.Active);

        // The connection goes silent without closing; the registry keeps publishing.
        var connections = proxy.Connections;
        Assert.True(proxy.Stall() >= 1);
        var later = CardFeed.NewNumber();
        registry.Publish(Issued(later, Tier.D));
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var unseen = await Assert.ThrowsAsync<RpcException>(() => service.Client.ListCardEntitlementsAsync(
            new ListCardEntitlementsRequest { CardNumber = later }, service.AsService()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unseen.StatusCode);
        Assert.Equal(0, consumer.StallsDetected);

        // Past the idle timeout (on the service's clock) the watchdog cuts the stream; the consumer reconnects
        // over a new connection (the keep-alive pings close the dead one) after the last stored sequence.
        service.Clock.Advance(TimeSpan.FromSeconds(2.5));
        var caughtUp = await EventuallyAsync(service, () => service.Client.ListCardEntitlementsAsync(
            new ListCardEntitlementsRequest { CardNumber = later }, service.AsService()).ResponseAsync, r => r.CardState == CardState.Active);
        Assert.Equal(Tier.D, caughtUp.Tier);
        Assert.True(consumer.StallsDetected >= 1);
        Assert.True(proxy.Connections > connections, "the consumer reconnected over a new connection");
        Assert.Contains(1L, registry.Requests.Skip(1)); // resumed after the stored sequence, not from the start
        Assert.Equal(2L, await service.Services.GetRequiredService<CardStateStore>().GetCursorAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Replayed_and_out_of_date_events_change_nothing()
    {
        await using var service = new EntitlementsHost();
        var store = service.Services.GetRequiredService<CardStateStore>();
        var card = CardFeed.NewNumber();
        var issued = Issued(card, Tier.A);
        issued.Sequence = 1;
        var revoked = issued.Clone();
        revoked.Sequence = 2;
        revoked.State = CardState.Revoked;
        var ct = TestContext.Current.CancellationToken;

        await store.ApplyAsync([issued, revoked], ct);
        var cursor = await store.ApplyAsync([issued], ct); // the stream replays history after a reconnect

        Assert.Equal(2L, cursor);
        var list = await service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, service.AsService());
        Assert.Equal(CardState.Revoked, list.CardState);
    }

    /// <summary>Calls until the result satisfies the condition (NOT_FOUND counts as not yet), within <see cref="Patience"/>.</summary>
    /// <summary>
    /// Polls until <paramref name="done"/>; the service's fake clock, which the consumer's backoff and idle
    /// watchdog run on, moves along with real time (100 ms a round).
    /// </summary>
    private static async Task<T> EventuallyAsync<T>(EntitlementsHost service, Func<Task<T>> call, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                var result = await call();
                if (done(result))
                {
                    return result;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "the condition was not met in time");
            await Task.Delay(100, TestContext.Current.CancellationToken);
            service.Clock.Advance(TimeSpan.FromMilliseconds(100));
        }
    }
}
