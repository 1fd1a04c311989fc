using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// SPEC §6 below the role: a talent sees only their own card, record, history and verifications; an
/// agency sees only the benefits it provides and cancels only its own redemptions.
/// </summary>
[Collection(Collections.ObjectAccess)]
public sealed class ObjectAccessTests(SecuritySystem fixture)
{
    [Fact]
    public async Task A_talent_cannot_read_another_talents_card_record_token_entitlements_redemptions_or_verifications()
    {
        var (mine, _, me) = await fixture.IssueCardAsync();
        var (theirs, theirQr, them) = await fixture.IssueCardAsync();
        await fixture.VerifyUntilAsync(theirQr, VerificationOutcome.Valid); // they have a verification on record
        var asMe = fixture.AsTalent(mine.CardNumber);
        var other = theirs.CardNumber;

        var refusals = new Dictionary<string, StatusCode>
        {
            ["GetCard"] = await StatusOf(() => fixture.Registry.GetCardAsync(new GetCardRequest { CardNumber = other }, asMe).ResponseAsync),
            ["GetTalent"] = await StatusOf(() => fixture.Registry.GetTalentAsync(new GetTalentRequest { TalentId = them.TalentId }, asMe).ResponseAsync),
            ["RenderCardQr"] = await StatusOf(() => fixture.Registry.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = other }, asMe).ResponseAsync),
            ["IssueDynamicToken"] = await StatusOf(() => fixture.Registry.IssueDynamicTokenAsync(new IssueDynamicTokenRequest { CardNumber = other }, asMe).ResponseAsync),
            ["ListCardEntitlements"] = await StatusOf(() => fixture.Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = other }, asMe).ResponseAsync),
            ["ListRedemptions"] = await StatusOf(() => fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = other }, asMe).ResponseAsync),
            ["ListCardVerifications"] = await StatusOf(() => fixture.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = other }, asMe).ResponseAsync),
        };

        Assert.All(refusals, r => Assert.True(r.Value == StatusCode.PermissionDenied, $"{r.Key} of another talent's card: {r.Value}"));

        // ...while their own works.
        Assert.Equal(mine.CardNumber, (await fixture.Registry.GetCardAsync(new GetCardRequest { CardNumber = mine.CardNumber }, asMe)).Card.CardNumber);
        Assert.Equal(me.TalentId, (await fixture.Registry.GetTalentAsync(new GetTalentRequest { TalentId = me.TalentId }, asMe)).Talent.TalentId);
        Assert.NotNull(await fixture.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = mine.CardNumber }, asMe));
    }

    [Fact]
    public async Task A_talent_cannot_learn_whether_a_card_they_do_not_hold_exists()
    {
        var (mine, _, _) = await fixture.IssueCardAsync();
        var asMe = fixture.AsTalent(mine.CardNumber);
        var neverIssued = CardNumber.Create(99, 987_654);

        var status = await StatusOf(() => fixture.Registry.GetCardAsync(new GetCardRequest { CardNumber = neverIssued }, asMe).ResponseAsync);
        var record = await StatusOf(() => fixture.Registry.GetTalentAsync(new GetTalentRequest { TalentId = "T" + Guid.NewGuid().ToString("N").ToUpperInvariant() }, asMe).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, status);
        Assert.Equal(StatusCode.PermissionDenied, record);
    }

    [Fact]
    public async Task A_talent_sees_their_own_record_masked_without_identity_number_or_phone()
    {
        var (mine, _, me) = await fixture.IssueCardAsync();

        var seen = (await fixture.Registry.GetTalentAsync(new GetTalentRequest { TalentId = me.TalentId }, fixture.AsTalent(mine.CardNumber))).Talent;

        Assert.NotEqual(me.DocumentNumber, seen.DocumentNumber);
        Assert.Contains('*', seen.DocumentNumber);
        Assert.NotEqual(me.MobilePhone, seen.MobilePhone);
        Assert.Contains('*', seen.MobilePhone);
    }

    [Fact]
    public async Task An_agency_sees_only_its_own_benefits_in_a_verify_answer()
    {
        var (_, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);
        await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid);
        var catalogue = (await fixture.Entitlements.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 200 }, fixture.AsAuditor())).Benefits;

        foreach (var agency in new[] { "HOSP_PEOPLE", "EDU", "HOUSING", "PSB", "ORG" })
        {
            var answer = await fixture.VerifyAsync(qr, agency);
            var own = catalogue.Where(b => b.ProviderAgencyCodes.Contains(agency)).Select(b => b.Code).Order().ToArray();

            Assert.Equal(VerificationOutcome.Valid, answer.Outcome);
            Assert.Equal(own, answer.Benefits.Select(b => b.BenefitCode).Order().ToArray());
            Assert.All(answer.Benefits, b => Assert.Contains(agency, b.ProviderAgencyCodes));
        }
    }

    [Fact]
    public async Task An_agency_cannot_record_a_benefit_it_does_not_provide_and_nothing_is_stored()
    {
        var (card, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);
        await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid);

        var reply = await fixture.Verification.RedeemAsync(new RedeemRequest
        {
            QrText = qr,
            BenefitCode = "CHILD_SCHOOL_ENROLMENT", // EDU's benefit
            RedemptionId = "rd-" + Guid.NewGuid().ToString("N"),
        }, fixture.AsAgency("HOSP_PEOPLE"));
        fixture.Answer(reply);
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor());

        Assert.Equal(RedemptionStatus.NotProvidedByAgency, reply.Status);
        Assert.Empty(history.Redemptions);
    }

    [Fact]
    public async Task An_agency_cannot_cancel_another_agencys_redemption_and_the_use_stays_recorded()
    {
        var (card, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);
        await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid);
        var id = "rd-" + Guid.NewGuid().ToString("N");
        var redeemed = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = id }, fixture.AsAgency("HOSP_PEOPLE"));
        Assert.Equal(RedemptionStatus.Redeemed, redeemed.Status);

        // HOSP_TCM provides the same benefit, and still may not withdraw the People's Hospital's use.
        var otherAgency = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Verification.CancelRedemptionAsync(
            new CancelRedemptionRequest { RedemptionId = id, Reason = "not ours" }, fixture.AsAgency("HOSP_TCM")));
        var stranger = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Verification.CancelRedemptionAsync(
            new CancelRedemptionRequest { RedemptionId = id, Reason = "not ours either" }, fixture.AsAgency("EDU")));
        fixture.Answer(otherAgency);
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor());
        var entitlement = (await fixture.Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card.CardNumber, AgencyCode = "HOSP_PEOPLE" }, fixture.AsAuditor()))
            .Entitlements.Single(e => e.BenefitCode == "ANNUAL_HEALTH_CHECK");

        Assert.Equal(StatusCode.PermissionDenied, otherAgency.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);
        Assert.False(Assert.Single(history.Redemptions).Cancelled);
        Assert.Equal(1, entitlement.Used);

        // The agency that made it can.
        var own = await fixture.Verification.CancelRedemptionAsync(new CancelRedemptionRequest { RedemptionId = id, Reason = "mistake" }, fixture.AsAgency("HOSP_PEOPLE"));
        Assert.True(own.Redemption.Cancelled);
    }

    [Fact]
    public async Task An_agency_cannot_read_card_histories_or_statistics_directly()
    {
        var (card, _, _) = await fixture.IssueCardAsync();
        var agency = fixture.AsAgency("HOSP_PEOPLE");

        var statuses = new[]
        {
            await StatusOf(() => fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, agency).ResponseAsync),
            await StatusOf(() => fixture.Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card.CardNumber }, agency).ResponseAsync),
            await StatusOf(() => fixture.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card.CardNumber }, agency).ResponseAsync),
            await StatusOf(() => fixture.Registry.GetCardAsync(new GetCardRequest { CardNumber = card.CardNumber }, agency).ResponseAsync),
            await StatusOf(() => fixture.Entitlements.GetUsageStatisticsAsync(new GetUsageStatisticsRequest(), agency).ResponseAsync),
        };

        Assert.All(statuses, s => Assert.Equal(StatusCode.PermissionDenied, s));
    }

    private static async Task<StatusCode> StatusOf<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
