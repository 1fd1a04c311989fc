using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Quotas under concurrency and exactly-once redemption ids (SPEC §7.2).</summary>
public sealed class RedemptionConcurrencyTests(HostFixture host) : IClassFixture<HostFixture>
{
    private EntitlementsHost Service => host.Service;

    [Fact]
    public async Task Fifty_concurrent_redemptions_with_twelve_left_record_exactly_twelve_and_refuse_the_rest_as_quota_exhausted()
    {
        var card = await Service.Cards.IssueAsync(Tier.D);
        var before = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card, AgencyCode = "CULTOUR" }, Service.AsService());
        Assert.Equal(12, before.Entitlements.Single(e => e.BenefitCode == "SCENIC_SPOT_ENTRY").Remaining);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            Service.Client.RedeemAsync(Service.RedeemRequest(card, "SCENIC_SPOT_ENTRY", "CULTOUR"), Service.AsService("CULTOUR")).ResponseAsync)));

        Assert.Equal(12, results.Count(r => r.Status == RedemptionStatus.Redeemed));
        Assert.Equal(38, results.Count(r => r.Status == RedemptionStatus.QuotaExhausted));
        await using var db = Service.OpenDatabase();
        Assert.Equal(12, await db.Redemptions.CountAsync(r => r.CardNumber == card));
        Assert.Equal(12, (await db.UsageCounters.SingleAsync(u => u.CardNumber == card && u.BenefitCode == "SCENIC_SPOT_ENTRY")).Used);
        var after = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card, AgencyCode = "CULTOUR" }, Service.AsService());
        var scenic = after.Entitlements.Single(e => e.BenefitCode == "SCENIC_SPOT_ENTRY");
        Assert.Equal((12, 0, EntitlementStatus.QuotaExhausted), (scenic.Used, scenic.Remaining, scenic.Status));
    }

    [Fact]
    public async Task Concurrent_redemptions_from_different_agencies_never_exceed_the_quota()
    {
        // ANNUAL_HEALTH_CHECK: once a year, provided by three agencies.
        var card = await Service.Cards.IssueAsync(Tier.A);
        string[] agencies = ["HOSP_PEOPLE", "HOSP_TCM", "HEALTH"];
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() =>
            Service.Client.RedeemAsync(Service.RedeemRequest(card, "ANNUAL_HEALTH_CHECK", agencies[i % 3]), Service.AsService(agencies[i % 3])).ResponseAsync)));

        Assert.Single(results, r => r.Status == RedemptionStatus.Redeemed);
        Assert.Equal(29, results.Count(r => r.Status == RedemptionStatus.QuotaExhausted));
        await using var db = Service.OpenDatabase();
        Assert.Equal(1, await db.Redemptions.CountAsync(r => r.CardNumber == card));
    }

    [Fact]
    public async Task The_same_redemption_id_sent_twenty_times_concurrently_records_one_use()
    {
        var card = await Service.Cards.IssueAsync(Tier.C);
        var request = Service.RedeemRequest(card, "SCENIC_SPOT_ENTRY", "CULTOUR", id: "gate-3-20261127-0001");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
            Service.Client.RedeemAsync(request, Service.AsService("CULTOUR")).ResponseAsync)));

        Assert.Single(results, r => r.Status == RedemptionStatus.Redeemed);
        Assert.Equal(19, results.Count(r => r.Status == RedemptionStatus.AlreadyRedeemed));
        Assert.All(results, r => Assert.Equal(results[0].Redemption.RedeemTime, r.Redemption.RedeemTime));
        Assert.All(results, r => Assert.Equal(1, r.Entitlement.Used));
        await using var db = Service.OpenDatabase();
        Assert.Equal(1, await db.Redemptions.CountAsync(r => r.CardNumber == card));
        Assert.Equal(1, (await db.UsageCounters.SingleAsync(u => u.CardNumber == card)).Used);
    }

    [Fact]
    public async Task A_repeated_redemption_id_returns_the_first_result_and_changes_nothing()
    {
        var card = await Service.Cards.IssueAsync(Tier.C);
        var first = await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR", id: "repeat-1-" + card);
        var again = await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR", id: "repeat-1-" + card);

        Assert.Equal(RedemptionStatus.Redeemed, first.Status);
        Assert.Equal(RedemptionStatus.AlreadyRedeemed, again.Status);
        Assert.Equal(first.Redemption, again.Redemption);
        Assert.Equal(11, again.Entitlement.Remaining);
    }

    [Fact]
    public async Task A_redemption_id_reused_for_another_card_or_benefit_is_invalid_and_stores_nothing()
    {
        var card = await Service.Cards.IssueAsync(Tier.C);
        var other = await Service.Cards.IssueAsync(Tier.C);
        var id = "reuse-" + card;
        await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR", id: id);

        Assert.Equal(["redemption_id"], await RpcAssert.BadFieldsAsync(() => Service.RedeemAsync(other, "SCENIC_SPOT_ENTRY", "CULTOUR", id: id)));
        Assert.Equal(["redemption_id"], await RpcAssert.BadFieldsAsync(() => Service.RedeemAsync(card, "SPORTS_CULTURE_VENUES", "CULTOUR", id: id)));
        await using var db = Service.OpenDatabase();
        Assert.Equal(0, await db.Redemptions.CountAsync(r => r.CardNumber == other));
    }
}
