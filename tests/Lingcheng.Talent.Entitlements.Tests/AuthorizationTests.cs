using Grpc.Core;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Roles per RPC and the holder's own card only (SPEC §6).</summary>
public sealed class AuthorizationTests(HostFixture host) : IClassFixture<HostFixture>
{
    private EntitlementsHost Service => host.Service;

    [Fact]
    public async Task Redeem_by_a_role_other_than_service_is_permission_denied()
    {
        var card = await Service.Cards.IssueAsync(Tier.A);
        var request = Service.RedeemRequest(card, "FREE_PUBLIC_TRANSIT", "TRANSPORT");

        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () => await Service.Client.RedeemAsync(request, Service.AsAgency("TRANSPORT")));
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () => await Service.Client.RedeemAsync(request, Service.AsTalent(card)));
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () => await Service.Client.RedeemAsync(request, Service.AsHrOfficer()));
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () => await Service.Client.CancelRedemptionAsync(
            new EntitlementServiceCancelRedemptionRequest { RedemptionId = request.RedemptionId, AgencyCode = "TRANSPORT" }, Service.AsAgency("TRANSPORT")));
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () => await Service.Client.UpdateBenefitAsync(new UpdateBenefitRequest(), Service.AsAuditor()));
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () => await Service.Client.GetUsageStatisticsAsync(new GetUsageStatisticsRequest(), Service.AsService()));
    }

    [Fact]
    public async Task A_call_without_a_token_is_unauthenticated()
    {
        await RpcAssert.ThrowsAsync(StatusCode.Unauthenticated, async () => await Service.Client.ListBenefitsAsync(new ListBenefitsRequest()));
        await RpcAssert.ThrowsAsync(StatusCode.Unauthenticated, async () => await Service.Client.ListBenefitsAsync(new ListBenefitsRequest(),
            new Metadata { { "Authorization", "Bearer not-a-token" } }));
    }

    [Fact]
    public async Task A_talent_reads_their_own_card_and_is_denied_another_cards_history_and_entitlements()
    {
        var mine = await Service.Cards.IssueAsync(Tier.B);
        var theirs = await Service.Cards.IssueAsync(Tier.B);
        await Service.RedeemAsync(mine, "SCENIC_SPOT_ENTRY", "CULTOUR");

        var history = await Service.Client.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = mine }, Service.AsTalent(mine));
        var entitlements = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = mine }, Service.AsTalent(mine));

        Assert.Single(history.Redemptions);
        Assert.Equal(16, entitlements.Entitlements.Count);
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () =>
            await Service.Client.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = theirs }, Service.AsTalent(mine)));
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, async () =>
            await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = theirs }, Service.AsTalent(mine)));
    }
}
