using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>The entitlement service as a process beside the real registry process, learning cards from its event feed.</summary>
public sealed class RealRegistryTests
{
    [Fact]
    public async Task A_card_issued_in_the_registry_redeems_is_refused_once_revoked_and_stays_known_while_the_registry_is_down()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: true, verification: false, settings: new Dictionary<string, string>
        {
            ["Registry__EventHeartbeatSeconds"] = "1",
            // The harness gives every service the verification JSON endpoint; without the verification
            // service, let the registry and this service each take a free port for it instead of colliding.
            ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
        });
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var entitlements = new EntitlementService.EntitlementServiceClient(system.Entitlements!.Channel);
        var talent = (await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent(Tier.B) }, system.AsHrOfficer())).Talent;
        var card = (await registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, system.AsHrOfficer())).Card;

        EntitlementServiceRedeemRequest Redeem() => new()
        {
            RedemptionId = SyntheticData.RequestId(),
            CardNumber = card.CardNumber,
            CardVersion = card.CardVersion,
            BenefitCode = "HOUSING_SUBSIDY",
            AgencyCode = "HOUSING",
            TerminalId = "desk-1",
        };

        var first = await entitlements.RedeemAsync(Redeem(), system.AsVerificationFor("HOUSING", "desk-1"));
        Assert.Equal(RedemptionStatus.Redeemed, first.Status);

        await registry.RevokeCardAsync(new RevokeCardRequest
        {
            RequestId = SyntheticData.RequestId(),
            CardNumber = card.CardNumber,
            Reason = RevocationReason.LeftDistrict,
            Note = "moved to Jinan",
        }, system.AsHrOfficer());

        // The revocation arrives through the feed (pushed within ~100 ms); allow generous margin.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        EntitlementServiceRedeemResponse refused;
        do
        {
            refused = await entitlements.RedeemAsync(Redeem(), system.AsVerificationFor("HOUSING", "desk-1"));
        }
        while (refused.Status != RedemptionStatus.CardNotValid && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal(RedemptionStatus.CardNotValid, refused.Status);

        system.Registry.Kill();
        var list = await entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card.CardNumber }, system.AsService());
        Assert.Equal((CardState.Revoked, Tier.B), (list.CardState, list.Tier));
        var history = await entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, system.AsTalent(card.CardNumber));
        Assert.Equal(first.Redemption.RedemptionId, Assert.Single(history.Redemptions).RedemptionId);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100, TestContext.Current.CancellationToken);
        return true;
    }
}
