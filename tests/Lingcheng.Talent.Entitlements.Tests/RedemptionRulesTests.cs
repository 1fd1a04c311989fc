using Grpc.Core;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Who may redeem what: card state and version, agency, tier, PER_CARD across re-issues, input checks.</summary>
public sealed class RedemptionRulesTests(HostFixture host) : IClassFixture<HostFixture>
{
    private EntitlementsHost Service => host.Service;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_reissued_card_keeps_its_per_card_usage_and_its_old_version_is_refused()
    {
        // CHILD_SCHOOL_ENROLMENT: 2 per card, EDU, tiers A–C.
        var card = await Service.Cards.IssueAsync(Tier.B);
        Assert.Equal(RedemptionStatus.Redeemed, (await Service.RedeemAsync(card, "CHILD_SCHOOL_ENROLMENT", "EDU", version: 1)).Status);

        await Service.Cards.ReissueAsync(card);

        var old = await Service.RedeemAsync(card, "CHILD_SCHOOL_ENROLMENT", "EDU", version: 1);
        Assert.Equal(RedemptionStatus.CardNotValid, old.Status);
        var second = await Service.RedeemAsync(card, "CHILD_SCHOOL_ENROLMENT", "EDU", version: 2);
        Assert.Equal(RedemptionStatus.Redeemed, second.Status);
        Assert.Equal(("card", 2, 0), (second.Redemption.Period, second.Entitlement.Used, second.Entitlement.Remaining));
        var third = await Service.RedeemAsync(card, "CHILD_SCHOOL_ENROLMENT", "EDU", version: 2);
        Assert.Equal(RedemptionStatus.QuotaExhausted, third.Status);

        var list = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, Service.AsHrOfficer());
        var school = list.Entitlements.Single(e => e.BenefitCode == "CHILD_SCHOOL_ENROLMENT");
        Assert.Equal((2, 0, "card"), (school.Used, school.Remaining, school.Period));
    }

    [Fact]
    public async Task A_revoked_card_redeems_nothing_and_nothing_is_stored()
    {
        var card = await Service.Cards.IssueAsync(Tier.A);
        Assert.Equal(RedemptionStatus.Redeemed, (await Service.RedeemAsync(card, "FREE_PUBLIC_TRANSIT", "TRANSPORT")).Status);

        await Service.Cards.RevokeAsync(card);

        foreach (var (benefit, agency) in new[] { ("FREE_PUBLIC_TRANSIT", "TRANSPORT"), ("SCENIC_SPOT_ENTRY", "CULTOUR"), ("HOUSING_SUBSIDY", "HOUSING") })
        {
            var refused = await Service.RedeemAsync(card, benefit, agency);
            Assert.Equal(RedemptionStatus.CardNotValid, refused.Status);
            Assert.Null(refused.Redemption);
            Assert.Equal(EntitlementStatus.CardNotActive, refused.Entitlement.Status);
        }

        await using var db = Service.OpenDatabase();
        Assert.Equal(1, await db.Redemptions.CountAsync(r => r.CardNumber == card, Ct));
        Assert.False(await db.UsageCounters.AnyAsync(u => u.CardNumber == card, Ct));
        var list = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, Service.AsService());
        Assert.Equal(CardState.Revoked, list.CardState);
        Assert.All(list.Entitlements, e => Assert.False(e.Eligible));
    }

    [Fact]
    public async Task Suspended_and_expired_cards_are_refused_as_not_valid()
    {
        var suspended = await Service.Cards.IssueAsync(Tier.A);
        await Service.Cards.SuspendAsync(suspended);
        var expired = await Service.Cards.IssueAsync(Tier.A, expires: Service.Clock.GetUtcNow().AddMinutes(-1));

        Assert.Equal(RedemptionStatus.CardNotValid, (await Service.RedeemAsync(suspended, "FREE_PUBLIC_TRANSIT", "TRANSPORT")).Status);
        Assert.Equal(RedemptionStatus.CardNotValid, (await Service.RedeemAsync(expired, "FREE_PUBLIC_TRANSIT", "TRANSPORT")).Status);
        var list = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = expired }, Service.AsService());
        Assert.Equal(CardState.Expired, list.CardState);
    }

    [Fact]
    public async Task An_agency_cannot_redeem_a_benefit_it_does_not_provide_and_sees_nothing_of_its_use()
    {
        // SCENIC_SPOT_ENTRY: 12 per calendar year, provided by CULTOUR only.
        var card = await Service.Cards.IssueAsync(Tier.A);
        Assert.Equal(RedemptionStatus.Redeemed, (await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "CULTOUR")).Status);

        var refused = await Service.RedeemAsync(card, "SCENIC_SPOT_ENTRY", "HOSP_PEOPLE");

        Assert.Equal(RedemptionStatus.NotProvidedByAgency, refused.Status);
        Assert.Null(refused.Redemption);
        Assert.Null(refused.Entitlement); // neither the use nor the quota of another department's benefit
        Assert.DoesNotMatch("[0-9]", refused.Message);
        await using var db = Service.OpenDatabase();
        Assert.Equal(1, await db.Redemptions.CountAsync(r => r.CardNumber == card, Ct));
        Assert.Equal(1, await db.UsageCounters.Where(u => u.CardNumber == card).SumAsync(u => u.Used, Ct));
    }

    [Fact]
    public async Task A_tier_that_is_not_entitled_is_refused()
    {
        var card = await Service.Cards.IssueAsync(Tier.D);

        var refused = await Service.RedeemAsync(card, "SPOUSE_EMPLOYMENT", "HRSS");

        Assert.Equal(RedemptionStatus.TierNotEligible, refused.Status);
        Assert.Equal(EntitlementStatus.TierNotEligible, refused.Entitlement.Status);
    }

    [Fact]
    public async Task A_tier_change_from_the_registry_applies_to_the_next_redemption()
    {
        var card = await Service.Cards.IssueAsync(Tier.D);
        Assert.Equal(RedemptionStatus.TierNotEligible, (await Service.RedeemAsync(card, "RECUPERATION", "UNION")).Status);

        await Service.Cards.ChangeTierAsync(card, Tier.B);

        Assert.Equal(RedemptionStatus.Redeemed, (await Service.RedeemAsync(card, "RECUPERATION", "UNION")).Status);
    }

    [Fact]
    public async Task An_unknown_card_is_refused_as_not_valid_after_one_registry_lookup()
    {
        var card = CardFeed.NewNumber();
        var calls = Service.Lookup.Calls;

        var refused = await Service.RedeemAsync(card, "FREE_PUBLIC_TRANSIT", "TRANSPORT");

        Assert.Equal(RedemptionStatus.CardNotValid, refused.Status);
        Assert.Equal(calls + 1, Service.Lookup.Calls);
        await RpcAssert.ThrowsAsync(StatusCode.NotFound, async () =>
            await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, Service.AsService()));
    }

    [Fact]
    public async Task A_card_not_yet_seen_on_the_feed_is_looked_up_in_the_registry_once_and_kept()
    {
        var card = CardFeed.NewNumber();
        Service.Lookup.Add(new Card
        {
            CardNumber = card,
            CardVersion = 1,
            State = CardState.Active,
            Tier = Tier.C,
            TalentId = "talent-x",
            ExpireTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddYears(2)),
            LastEventSequence = 1,
        });
        var calls = Service.Lookup.Calls;

        Assert.Equal(RedemptionStatus.Redeemed, (await Service.RedeemAsync(card, "TALENT_LOAN", "FINREG")).Status);
        var list = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, Service.AsService());

        Assert.Equal(Tier.C, list.Tier);
        Assert.Equal(calls + 1, Service.Lookup.Calls);
    }

    [Fact]
    public async Task An_unknown_card_while_the_registry_is_down_is_unavailable_not_refused()
    {
        var card = CardFeed.NewNumber();
        Service.Lookup.Down = true;
        try
        {
            await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => Service.RedeemAsync(card, "FREE_PUBLIC_TRANSIT", "TRANSPORT"));
        }
        finally
        {
            Service.Lookup.Down = false;
        }
    }

    [Fact]
    public async Task Bad_input_is_invalid_argument_naming_each_field_and_stores_nothing()
    {
        var request = new EntitlementServiceRedeemRequest
        {
            RedemptionId = "has space",
            CardNumber = "LC260000001", // wrong check character
            CardVersion = 0,
            BenefitCode = "FREE_LUNCH",
            AgencyCode = "BANK_OF_NOWHERE",
        };

        var fields = await RpcAssert.BadFieldsAsync(async () => await Service.Client.RedeemAsync(request, Service.AsService("EDU")));

        Assert.Equal(["redemption_id", "card_number", "card_version", "agency_code", "benefit_code"], fields);
        Assert.Contains("redemption_id", await RpcAssert.BadFieldsAsync(() =>
            Service.RedeemAsync(CardFeed.NewNumber(), "FREE_PUBLIC_TRANSIT", "TRANSPORT", id: new string('x', 65))));
    }

    [Fact]
    public async Task Unlimited_benefits_record_every_use_without_a_counter()
    {
        var card = await Service.Cards.IssueAsync(Tier.D);
        for (var i = 0; i < 3; i++)
        {
            var response = await Service.RedeemAsync(card, "GOV_SERVICE_GREEN_CHANNEL", i % 2 == 0 ? "TAX" : "APPROVAL");
            Assert.Equal(RedemptionStatus.Redeemed, response.Status);
            Assert.Equal(("", QuotaPeriod.Unlimited, true), (response.Redemption.Period, response.Entitlement.QuotaPeriod, response.Entitlement.Eligible));
        }

        await using var db = Service.OpenDatabase();
        Assert.Equal(3, await db.Redemptions.CountAsync(r => r.CardNumber == card, Ct));
        Assert.False(await db.UsageCounters.AnyAsync(u => u.CardNumber == card, Ct));
    }

    [Fact]
    public async Task Card_entitlements_for_an_agency_list_only_its_benefits_with_quota_and_period()
    {
        var card = await Service.Cards.IssueAsync(Tier.C);
        await Service.RedeemAsync(card, "CHILD_KINDERGARTEN", "EDU");

        var list = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card, AgencyCode = "EDU" }, Service.AsService());

        Assert.Equal(["CHILD_SCHOOL_ENROLMENT", "CHILD_KINDERGARTEN", "SPORTS_CULTURE_VENUES"], list.Entitlements.Select(e => e.BenefitCode));
        var kindergarten = list.Entitlements[1];
        Assert.Equal((true, 2, 1, 1, "card"), (kindergarten.Eligible, kindergarten.QuotaLimit, kindergarten.Used, kindergarten.Remaining, kindergarten.Period));
        Assert.Equal((CardState.Active, Tier.C), (list.CardState, list.Tier));
        Assert.NotNull(list.StateAsOf);

        var all = await Service.Client.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, Service.AsService());
        Assert.Equal(16, all.Entitlements.Count);
        var spouse = all.Entitlements.Single(e => e.BenefitCode == "SPOUSE_EMPLOYMENT");
        Assert.Equal((false, EntitlementStatus.TierNotEligible), (spouse.Eligible, spouse.Status));
    }
}
