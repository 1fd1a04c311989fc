using Lingcheng.Talent.ServiceDefaults.Time;
using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Entitlements.Catalogue;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Redemptions;

/// <summary>How one benefit applies to one card now, and the wire form of a stored use.</summary>
public static class EntitlementRules
{
    /// <summary>
    /// Eligibility in a fixed order of reasons: card not active, benefit switched off, tier not
    /// entitled, quota used up. <paramref name="used"/> is the counter of the current period (0 when unlimited).
    /// </summary>
    public static Entitlement Compute(BenefitEntity benefit, CardStateEntity? card, int used, DateTimeOffset now)
    {
        var limited = benefit.IsLimited();
        var status = card is null || card.EffectiveState(now) != CardState.Active ? EntitlementStatus.CardNotActive
            : !benefit.Active ? EntitlementStatus.BenefitInactive
            : !benefit.IsEligible(card.Tier) ? EntitlementStatus.TierNotEligible
            : limited && used >= benefit.QuotaLimit ? EntitlementStatus.QuotaExhausted
            : EntitlementStatus.Eligible;
        var entitlement = new Entitlement
        {
            BenefitCode = benefit.Code,
            BenefitName = benefit.Name,
            Eligible = status == EntitlementStatus.Eligible,
            Status = status,
            QuotaPeriod = benefit.QuotaPeriod,
            QuotaLimit = limited ? benefit.QuotaLimit : 0,
            Used = limited ? used : 0,
            Remaining = limited ? Math.Max(0, benefit.QuotaLimit - used) : 0,
            Period = ChinaTime.PeriodOf(benefit.QuotaPeriod, now),
        };
        entitlement.ProviderAgencyCodes.AddRange(benefit.Providers());
        return entitlement;
    }

    /// <summary>The counter of a card, benefit and period; 0 when nothing was used.</summary>
    public static Task<int> UsedAsync(EntitlementDbContext db, string cardNumber, string benefitCode, string period, CancellationToken ct) =>
        period.Length == 0
            ? Task.FromResult(0)
            : db.UsageCounters.AsNoTracking()
                .Where(u => u.CardNumber == cardNumber && u.BenefitCode == benefitCode && u.Period == period)
                .Select(u => u.Used).FirstOrDefaultAsync(ct);

    public static DateTimeOffset AsUtc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static Redemption ToProto(this RedemptionEntity r)
    {
        var redemption = new Redemption
        {
            RedemptionId = r.RedemptionId,
            CardNumber = r.CardNumber,
            CardVersion = r.CardVersion,
            BenefitCode = r.BenefitCode,
            AgencyCode = r.AgencyCode,
            TerminalId = r.TerminalId,
            RedeemTime = Timestamp.FromDateTimeOffset(AsUtc(r.RedeemTimeUtc)),
            Period = r.Period,
            Cancelled = r.Cancelled,
            CancelReason = r.CancelReason ?? "",
        };
        if (r.CancelTimeUtc is { } cancelled)
        {
            redemption.CancelTime = Timestamp.FromDateTimeOffset(AsUtc(cancelled));
        }

        return redemption;
    }
}
