using Lingcheng.Talent.Rules.Benefits;
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
    /// The entitlement of <paramref name="card"/> (null: not known here, so not active) to <paramref name="benefit"/>
    /// now, by the rule the verification replicas apply too (<see cref="Eligibility"/>). <paramref name="used"/> is
    /// the counter of the current period (0 when unlimited).
    /// </summary>
    public static Entitlement Compute(BenefitEntity benefit, CardStateEntity? card, int used, DateTimeOffset now) =>
        Eligibility.Compute(benefit.ToProto(), card?.EffectiveState(now) == CardState.Active, card?.Tier ?? Tier.Unspecified, used,
            ChinaTime.PeriodOf(benefit.QuotaPeriod, now));

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
