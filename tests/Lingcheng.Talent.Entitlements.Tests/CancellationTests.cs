using Grpc.Core;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Cancelling a use: the recording agency only, within 24 hours, giving the unit back. Moves its host's clock.</summary>
public sealed class CancellationTests(HostFixture host) : IClassFixture<HostFixture>
{
    private EntitlementsHost Service => host.Service;

    private Task<EntitlementServiceCancelRedemptionResponse> CancelAsync(string id, string agency, string reason = "recorded by mistake") =>
        Service.Client.CancelRedemptionAsync(new EntitlementServiceCancelRedemptionRequest { RedemptionId = id, AgencyCode = agency, Reason = reason }, Service.AsService(agency)).ResponseAsync;

    [Fact]
    public async Task Cancelling_within_24_hours_gives_the_unit_back()
    {
        // TALENT_APARTMENT: 1 per card.
        var card = await Service.Cards.IssueAsync(Tier.D);
        var first = await Service.RedeemAsync(card, "TALENT_APARTMENT", "HOUSING");
        Assert.Equal(RedemptionStatus.QuotaExhausted, (await Service.RedeemAsync(card, "TALENT_APARTMENT", "HOUSING")).Status);
        Service.Clock.Advance(TimeSpan.FromHours(23));

        var cancelled = await CancelAsync(first.Redemption.RedemptionId, "HOUSING");

        Assert.True(cancelled.Redemption.Cancelled);
        Assert.Equal("recorded by mistake", cancelled.Redemption.CancelReason);
        Assert.NotNull(cancelled.Redemption.CancelTime);
        var again = await Service.RedeemAsync(card, "TALENT_APARTMENT", "HOUSING");
        Assert.Equal(RedemptionStatus.Redeemed, again.Status);
        Assert.Equal((1, 0), (again.Entitlement.Used, again.Entitlement.Remaining));
    }

    [Fact]
    public async Task Cancellation_after_24_hours_is_refused_and_keeps_the_use()
    {
        var card = await Service.Cards.IssueAsync(Tier.D);
        var use = await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR");
        Service.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));

        var ex = await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => CancelAsync(use.Redemption.RedemptionId, "CULTOUR"));

        Assert.Equal("CANCEL_WINDOW_PASSED", RpcAssert.Reason(ex));
        await using var db = Service.OpenDatabase();
        var stored = await db.Redemptions.SingleAsync(r => r.RedemptionId == use.Redemption.RedemptionId, TestContext.Current.CancellationToken);
        Assert.False(stored.Cancelled);
        var list = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card, AgencyCode = "CULTOUR" }, Service.AsService());
        Assert.Equal(1, list.Entitlements.Single(e => e.BenefitCode == "SCENIC_SPOT_ENTRY").Used);
    }

    [Fact]
    public async Task Only_the_agency_that_recorded_a_use_may_cancel_it()
    {
        var card = await Service.Cards.IssueAsync(Tier.A);
        var use = await Service.RedeemAsync(card, "SPORTS_CULTURE_VENUES", "EDU");

        var ex = await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, () => CancelAsync(use.Redemption.RedemptionId, "CULTOUR"));

        Assert.Equal("NOT_REDEEMING_AGENCY", RpcAssert.Reason(ex));
        Assert.True((await CancelAsync(use.Redemption.RedemptionId, "EDU")).Redemption.Cancelled);
    }

    [Fact]
    public async Task A_repeated_cancel_returns_the_cancelled_use_unchanged_and_gives_back_only_one_unit()
    {
        var card = await Service.Cards.IssueAsync(Tier.A);
        var a = await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR");
        await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR");

        var first = await CancelAsync(a.Redemption.RedemptionId, "CULTOUR", "wrong visitor");
        Service.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await CancelAsync(a.Redemption.RedemptionId, "CULTOUR", "another reason");

        Assert.Equal(first.Redemption, second.Redemption);
        var list = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card, AgencyCode = "CULTOUR" }, Service.AsService());
        Assert.Equal(1, list.Entitlements.Single(e => e.BenefitCode == "SCENIC_SPOT_ENTRY").Used);
    }

    [Fact]
    public async Task Cancelling_an_unknown_redemption_is_not_found_and_bad_input_names_the_fields()
    {
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, () => CancelAsync("never-recorded-" + Guid.NewGuid().ToString("N")[..8], "EDU"));
        Assert.Equal(["redemption_id", "agency_code"], await RpcAssert.BadFieldsAsync(() => CancelAsync("", "NOBODY")));
    }
}
