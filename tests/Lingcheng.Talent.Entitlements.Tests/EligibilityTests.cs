using Lingcheng.Talent.Rules.Benefits;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>
/// The rule both the entitlement service and every verification replica apply (<see cref="Eligibility"/>):
/// the first reason that holds, in the order card, benefit, tier, quota; and what a terminal reads of the quota.
/// </summary>
public sealed class EligibilityTests
{
    private static Benefit HealthCheck(bool active = true) => new()
    {
        Code = "ANNUAL_HEALTH_CHECK", Name = "年度免费健康体检", Active = active, QuotaPeriod = QuotaPeriod.PerCalendarYear, QuotaLimit = 1,
        EligibleTiers = { Tier.A, Tier.B }, ProviderAgencyCodes = { "HOSP_PEOPLE", "HOSP_TCM", "HEALTH" },
    };

    [Theory]
    [InlineData(false, false, Tier.D, 1, EntitlementStatus.CardNotActive)]   // every reason holds: the card's comes first
    [InlineData(true, false, Tier.D, 1, EntitlementStatus.BenefitInactive)]
    [InlineData(true, true, Tier.D, 1, EntitlementStatus.TierNotEligible)]
    [InlineData(true, true, Tier.B, 1, EntitlementStatus.QuotaExhausted)]
    [InlineData(true, true, Tier.B, 0, EntitlementStatus.Eligible)]
    public void The_first_reason_that_holds_decides(bool cardActive, bool benefitActive, Tier tier, int used, EntitlementStatus expected)
    {
        var e = Eligibility.Compute(HealthCheck(benefitActive), cardActive, tier, used, "2026");

        Assert.Equal((expected, expected == EntitlementStatus.Eligible), (e.Status, e.Eligible));
    }

    [Fact]
    public void A_limited_benefit_shows_its_counter_and_an_unlimited_one_shows_none()
    {
        var limited = Eligibility.Compute(HealthCheck(), true, Tier.A, 0, "2026");
        Assert.Equal((1, 0, 1, "2026"), (limited.QuotaLimit, limited.Used, limited.Remaining, limited.Period));
        Assert.Equal(["HOSP_PEOPLE", "HOSP_TCM", "HEALTH"], limited.ProviderAgencyCodes);

        var unlimited = HealthCheck();
        unlimited.QuotaPeriod = QuotaPeriod.Unlimited;
        var e = Eligibility.Compute(unlimited, true, Tier.A, 7, "");
        Assert.Equal((EntitlementStatus.Eligible, 0, 0, 0), (e.Status, e.QuotaLimit, e.Used, e.Remaining));
    }
}
