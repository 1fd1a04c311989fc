using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>The contract's enum names, read from the generated code (issue 26, item 4), as the former hand-written tables gave them.</summary>
public sealed class ProtoNamesTests
{
    [Fact]
    public void Full_and_short_names_come_from_the_proto()
    {
        Assert.Equal("CARD_STATE_ACTIVE", ProtoNames.Of(CardState.Active));
        Assert.Equal("ACTIVE", ProtoNames.Short(CardState.Active));
        Assert.Equal("UNSPECIFIED", ProtoNames.Short(CardState.Unspecified));
        Assert.Equal("QUOTA_PERIOD_PER_CALENDAR_YEAR", ProtoNames.Of(QuotaPeriod.PerCalendarYear));
        Assert.Equal("NOT_PROVIDED_BY_AGENCY", ProtoNames.Short(RedemptionStatus.NotProvidedByAgency));
        Assert.Equal("UNSUPPORTED_VERSION", ProtoNames.Short(VerificationOutcome.UnsupportedVersion));
        Assert.Equal("TIER_NOT_ELIGIBLE", ProtoNames.Short((Enum)EntitlementStatus.TierNotEligible));
    }

    [Fact]
    public void A_number_the_contract_does_not_define_is_written_as_the_number_or_the_callers_word()
    {
        Assert.Equal("42", ProtoNames.Of((CardState)42));
        Assert.Equal("42", ProtoNames.Short((CardState)42));
        Assert.Equal("UNSPECIFIED", ProtoNames.Short((CardState)42, "UNSPECIFIED"));
    }

    [Fact]
    public void The_callers_that_had_tables_give_the_same_names()
    {
        Assert.Equal(["UNSPECIFIED", "ACTIVE", "SUSPENDED", "REVOKED", "EXPIRED"],
            Enum.GetValues<CardState>().Select(Lingcheng.Talent.Rules.Cards.CardStateRules.Name));
        Assert.Equal(["QUOTA_PERIOD_UNSPECIFIED", "QUOTA_PERIOD_UNLIMITED", "QUOTA_PERIOD_PER_CALENDAR_YEAR", "QUOTA_PERIOD_PER_CARD"],
            Enum.GetValues<QuotaPeriod>().Select(p => Lingcheng.Talent.Entitlements.Catalogue.QuotaPeriodNames.ToWireName(p)));
        Assert.Equal("QUOTA_PERIOD_UNSPECIFIED", Lingcheng.Talent.Entitlements.Catalogue.QuotaPeriodNames.ToWireName((QuotaPeriod)9));
        Assert.Equal("ALREADY_REDEEMED", Lingcheng.Talent.Entitlements.Redemptions.RedemptionLedger.StatusName(RedemptionStatus.AlreadyRedeemed));
        Assert.Equal("Unspecified", Lingcheng.Talent.Entitlements.Redemptions.RedemptionLedger.StatusName(RedemptionStatus.Unspecified));
        Assert.True(ProtoNames.TryParse<VerificationOutcome>("UNKNOWN_CARD", out var outcome));
        Assert.Equal(VerificationOutcome.UnknownCard, outcome);
    }
}
