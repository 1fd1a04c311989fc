using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// Issue 25 on a system of its own in development-token mode (the services mint their own service tokens): the same
/// per-service rules as with the provider's clients (item 9), and a talent held to a rate of card-history reads (item 10).
/// </summary>
public sealed class ServiceIdentityAndLimitTests
{
    [Fact]
    public async Task With_development_tokens_each_service_identity_is_held_to_what_it_needs_and_a_redeem_to_the_forwarded_terminals_agency()
    {
        await using var system = await TalentSystem.StartAsync(settings: new Dictionary<string, string> { ["Registry__EventHeartbeatSeconds"] = "1" });
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var entitlements = new EntitlementService.EntitlementServiceClient(system.Entitlements!.Channel);
        var verification = new VerificationService.VerificationServiceClient(system.Verification!.Channel);
        var talent = (await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent(Tier.A) }, system.AsHrOfficer())).Talent;
        var issued = await registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, system.AsHrOfficer());
        EntitlementServiceRedeemRequest Use(string agency) => new()
        {
            RedemptionId = SyntheticData.RequestId(),
            CardNumber = issued.Card.CardNumber,
            CardVersion = issued.Card.CardVersion,
            BenefitCode = "ANNUAL_HEALTH_CHECK",
            AgencyCode = agency,
        };

        // The registry's own (minted) identity may not Redeem, even with a terminal's token beside it; nor read a talent.
        var asRegistry = system.AsService("registry");
        asRegistry.Headers!.Add(TalentSystem.OnBehalfOfHeader, system.AsAgency("HOSP_PEOPLE").Headers!.GetValue("authorization")!);
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await entitlements.RedeemAsync(Use("HOSP_PEOPLE"), asRegistry));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("verification", denied.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () =>
            await registry.GetTalentAsync(new GetTalentRequest { TalentId = talent.TalentId, IncludePhoto = true }, system.AsService("entitlements")))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () =>
            await entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = issued.Card.CardNumber }, system.AsService()))).StatusCode);

        // The verification identity forwarding a terminal of HOSP_PEOPLE cannot record a use for CULTOUR.
        var mismatch = await Assert.ThrowsAsync<RpcException>(async () => await entitlements.RedeemAsync(Use("CULTOUR"), system.AsVerificationFor("HOSP_PEOPLE")));
        Assert.Equal(StatusCode.PermissionDenied, mismatch.StatusCode);
        Assert.Contains("agency_code", mismatch.Status.Detail);

        // And the real path works: a desk redeems through the verification service, which forwards the desk's token.
        RedeemResponse redeemed;
        var until = DateTime.UtcNow.AddSeconds(20);
        do
        {
            redeemed = await verification.RedeemAsync(new RedeemRequest { QrText = issued.QrText, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = SyntheticData.RequestId() },
                system.AsAgency("HOSP_PEOPLE", "desk-7"));
        }
        while (redeemed.Status != RedemptionStatus.Redeemed && DateTime.UtcNow < until && await Task.Delay(200).ContinueWith(_ => true));

        Assert.Equal(RedemptionStatus.Redeemed, redeemed.Status);
        Assert.Equal(("HOSP_PEOPLE", "desk-7"), (redeemed.Redemption.AgencyCode, redeemed.Redemption.TerminalId));
        var history = await entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = issued.Card.CardNumber }, system.AsAuditor());
        Assert.Single(history.Redemptions);
    }

    [Fact]
    public async Task A_talent_reading_their_card_history_beyond_the_rate_gets_resource_exhausted_and_another_talent_does_not()
    {
        await using var system = await TalentSystem.StartAsync(settings: new Dictionary<string, string>
        {
            ["CallerLimits__PermitsPerMinute"] = "2",
            ["CallerLimits__Burst"] = "2",
        });
        var verification = new VerificationService.VerificationServiceClient(system.Verification!.Channel);
        var card = Lingcheng.Talent.Cards.CardNumber.Create(26, 11);
        var other = Lingcheng.Talent.Cards.CardNumber.Create(26, 12);

        for (var i = 0; i < 2; i++)
        {
            await verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card }, system.AsTalent(card));
        }

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card }, system.AsTalent(card)));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("retry in", refused.Status.Detail);
        Assert.NotNull(refused.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>());

        await verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = other }, system.AsTalent(other));
        // The auditor's chain check is limited per caller as well, and separately from the talent's reads.
        await verification.VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), system.AsAuditor());
    }
}
