using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Rules.Benefits;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Catalogue;

/// <summary>Reading the rules stored in a <see cref="BenefitEntity"/>, and its wire form.</summary>
public static class BenefitRules
{
    public static IReadOnlyList<string> Providers(this BenefitEntity b) =>
        b.ProviderAgencyCodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool IsProvidedBy(this BenefitEntity b, string? agencyCode) =>
        agencyCode is not null && b.Providers().Contains(agencyCode, StringComparer.Ordinal);

    public static bool IsEligible(this BenefitEntity b, Tier tier) =>
        TierLetter(tier) is { } letter && b.EligibleTiers.Contains(letter, StringComparison.Ordinal);

    /// <summary>True when uses are counted (per year or per card).</summary>
    public static bool IsLimited(this BenefitEntity b) => Eligibility.IsLimited(b.QuotaPeriod);

    public static char? TierLetter(Tier tier) => tier switch
    {
        Tier.A => 'A',
        Tier.B => 'B',
        Tier.C => 'C',
        Tier.D => 'D',
        _ => null,
    };

    public static Tier TierFromLetter(char letter) => letter switch
    {
        'A' => Tier.A,
        'B' => Tier.B,
        'C' => Tier.C,
        'D' => Tier.D,
        _ => Tier.Unspecified,
    };

    public static Benefit ToProto(this BenefitEntity b)
    {
        var benefit = new Benefit
        {
            Code = b.Code,
            Name = b.Name,
            Description = b.Description,
            QuotaPeriod = b.QuotaPeriod,
            QuotaLimit = b.QuotaLimit,
            Active = b.Active,
            Revision = b.Revision,
            UpdateTime = Timestamp.FromDateTimeOffset(b.UpdatedAt),
        };
        benefit.ProviderAgencyCodes.AddRange(b.Providers());
        benefit.EligibleTiers.AddRange(b.EligibleTiers.Select(TierFromLetter));
        return benefit;
    }
}
