using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Rules.Benefits;

/// <summary>
/// How one benefit of the catalogue applies to one card now (SPEC §3.3): the one rule behind the
/// entitlement service's ListCardEntitlements and Redeem answers and each verification replica's
/// Verify list, so the two can never disagree. Reasons come in a fixed order: card not active,
/// benefit switched off, tier not entitled, quota used up.
/// </summary>
public static class Eligibility
{
    /// <summary>True when uses are counted (per calendar year or per card).</summary>
    public static bool IsLimited(QuotaPeriod period) => period is QuotaPeriod.PerCalendarYear or QuotaPeriod.PerCard;

    /// <summary>
    /// The entitlement of a card to <paramref name="benefit"/>. <paramref name="cardActive"/> is the card's
    /// state now (active and not expired); <paramref name="used"/> the counter of <paramref name="period"/>,
    /// the current quota period's key (ChinaTime.PeriodOf in the services; ignored when unlimited).
    /// </summary>
    public static Entitlement Compute(Benefit benefit, bool cardActive, Tier tier, int used, string period)
    {
        var limited = IsLimited(benefit.QuotaPeriod);
        var status = !cardActive ? EntitlementStatus.CardNotActive
            : !benefit.Active ? EntitlementStatus.BenefitInactive
            : !benefit.EligibleTiers.Contains(tier) ? EntitlementStatus.TierNotEligible
            : limited && used >= benefit.QuotaLimit ? EntitlementStatus.QuotaExhausted
            : EntitlementStatus.Eligible;
        return new Entitlement
        {
            BenefitCode = benefit.Code,
            BenefitName = benefit.Name,
            Eligible = status == EntitlementStatus.Eligible,
            Status = status,
            QuotaPeriod = benefit.QuotaPeriod,
            QuotaLimit = limited ? benefit.QuotaLimit : 0,
            Used = limited ? used : 0,
            Remaining = limited ? Math.Max(0, benefit.QuotaLimit - used) : 0,
            Period = period,
            ProviderAgencyCodes = { benefit.ProviderAgencyCodes },
        };
    }
}
