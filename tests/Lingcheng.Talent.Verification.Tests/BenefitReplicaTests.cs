using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// Verify answers the agency's benefits from the replica's copy of the entitlement service's usage
/// feed: the same list ListCardEntitlements gives, the terminal's own use visible at once, and a
/// use recorded elsewhere visible within moments.
/// </summary>
[Collection(SharedSystem.Name)]
public sealed class BenefitReplicaTests(SharedVerificationSystem fixture)
{
    [Fact]
    public async Task Verify_lists_what_the_entitlement_service_lists_and_follows_every_use()
    {
        var (card, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);
        var agency = fixture.System.AsAgency("CULTOUR", "desk-replica");

        var fresh = await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, agency);
        Assert.Equal(12, Scenic(fresh).Remaining);

        // This terminal's own use shows in the very next verify.
        var redeemed = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "SCENIC_SPOT_ENTRY", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, agency);
        Assert.Equal(RedemptionStatus.Redeemed, redeemed.Status);
        var afterOwn = await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, agency);
        Assert.Equal((11, 1), (Scenic(afterOwn).Remaining, Scenic(afterOwn).Used));

        // A use recorded through another replica arrives through the feed.
        await fixture.Entitlements.RedeemAsync(new EntitlementServiceRedeemRequest
        {
            RedemptionId = "rd-" + Guid.NewGuid().ToString("N"), CardNumber = card.CardNumber, CardVersion = 1,
            BenefitCode = "SCENIC_SPOT_ENTRY", AgencyCode = "CULTOUR", TerminalId = "other-replica",
        }, fixture.System.AsVerificationFor("CULTOUR", "other-replica"));
        VerifyResponse later;
        var until = DateTime.UtcNow.AddSeconds(10);
        do
        {
            later = await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, agency);
        }
        while (Scenic(later).Remaining != 10 && DateTime.UtcNow < until && await Delay());
        Assert.Equal(10, Scenic(later).Remaining);

        var truth = await fixture.Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card.CardNumber, AgencyCode = "CULTOUR" }, fixture.System.AsService());
        Assert.True(later.BenefitsAvailable);
        Assert.Equal(truth.Entitlements, later.Benefits);
        Assert.Contains("Usage feed caught up", fixture.VerificationProcess.Output);
    }

    private static Entitlement Scenic(VerifyResponse response) => response.Benefits.Single(b => b.BenefitCode == "SCENIC_SPOT_ENTRY");

    private static async Task<bool> Delay()
    {
        await Task.Delay(20);
        return true;
    }
}
