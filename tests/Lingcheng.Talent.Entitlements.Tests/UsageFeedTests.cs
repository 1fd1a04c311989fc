using Grpc.Core;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>
/// WatchUsage, the stream the verification replicas copy the catalogue and the usage counters from:
/// catalogue first, then history, a caught-up marker, and live changes whose sequences the
/// Redeem and CancelRedemption answers name.
/// </summary>
public sealed class UsageFeedTests(HostFixture host) : IClassFixture<HostFixture>
{
    private EntitlementsHost Service => host.Service;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_feed_sends_the_catalogue_the_history_and_then_each_use_and_cancel_as_it_commits()
    {
        var card = await Service.Cards.IssueAsync(Tier.A);
        var before = await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR");
        await Service.RedeemAsync(card, "MEDICAL_GREEN_CHANNEL", "HOSP_PEOPLE"); // unlimited: counts nothing, streams nothing

        using var call = Service.Client.WatchUsage(new WatchUsageRequest { AfterSequence = before.UsageSequence - 1 }, Service.AsService().WithCancellationToken(Ct));
        var stream = call.ResponseStream;

        var catalogue = await NextAsync(stream);
        Assert.True(catalogue.HasCatalogue);
        Assert.Equal(16, catalogue.Benefits.Count);
        var history = await NextAsync(stream);
        var change = Assert.Single(history.Changes);
        Assert.Equal((before.UsageSequence, card, "SCENIC_SPOT_ENTRY", 1), (change.Sequence, change.CardNumber, change.BenefitCode, change.Used));
        Assert.True((await NextAsync(stream)).CaughtUp);

        var second = await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR");
        var live = Assert.Single((await NextAsync(stream)).Changes);
        Assert.Equal((before.UsageSequence + 1, 2), (second.UsageSequence, live.Used));
        Assert.Equal(second.UsageSequence, live.Sequence);

        var cancelled = await Service.Client.CancelRedemptionAsync(new EntitlementServiceCancelRedemptionRequest
        {
            RedemptionId = second.Redemption.RedemptionId, AgencyCode = "CULTOUR", Reason = "wrong visitor",
        }, Service.AsService("CULTOUR"));
        var back = Assert.Single((await NextAsync(stream)).Changes);
        Assert.Equal((cancelled.UsageSequence, 1), (back.Sequence, back.Used));
        Assert.Equal(ChinaYear(), back.Period);
    }

    [Fact]
    public async Task A_catalogue_edit_reaches_the_stream_at_once()
    {
        using var call = Service.Client.WatchUsage(new WatchUsageRequest(), Service.AsService().WithCancellationToken(Ct));
        var stream = call.ResponseStream;
        while (!(await NextAsync(stream)).CaughtUp)
        {
        }

        var edit = new Benefit { Code = "RECUPERATION", QuotaLimit = 3 };
        await Service.Client.UpdateBenefitAsync(new UpdateBenefitRequest
        {
            RequestId = "req-" + Guid.NewGuid().ToString("N"),
            Benefit = edit,
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "quota_limit" } },
        }, Service.AsHrOfficer());

        WatchUsageResponse next;
        do
        {
            next = await NextAsync(stream);
        }
        while (!next.HasCatalogue);
        Assert.Equal(3, next.Benefits.Single(b => b.Code == "RECUPERATION").QuotaLimit);
    }

    [Fact]
    public async Task Only_the_service_role_may_watch_usage()
    {
        using var call = Service.Client.WatchUsage(new WatchUsageRequest(), Service.AsHrOfficer().WithCancellationToken(Ct));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    private string ChinaYear() => ServiceDefaults.Time.ChinaTime.PeriodOf(QuotaPeriod.PerCalendarYear, Service.Clock.GetUtcNow());

    private static async Task<WatchUsageResponse> NextAsync(IAsyncStreamReader<WatchUsageResponse> stream)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        Assert.True(await stream.MoveNext(timeout.Token), "the usage stream ended");
        return stream.Current;
    }
}
