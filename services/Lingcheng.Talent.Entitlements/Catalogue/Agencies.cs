namespace Lingcheng.Talent.Entitlements.Catalogue;

/// <summary>
/// The 18 participating agencies of SPEC §3.4, by code. The verification service owns the agency
/// list (names, terminals); the entitlement service only needs to know which codes exist, to refuse
/// a benefit rule or a redemption that names an agency nobody has heard of.
/// </summary>
public static class Agencies
{
    /// <summary>The codes of SPEC §3.4, in the order of the table.</summary>
    public static readonly IReadOnlyList<string> Codes =
    [
        "ORG", "HRSS", "EDU", "HEALTH", "HOSP_PEOPLE", "HOSP_TCM", "MEDINS", "PSB", "HOUSING",
        "TRANSPORT", "CULTOUR", "APPROVAL", "SCITECH", "FINANCE", "FINREG", "TAX", "UNION", "IIT",
    ];

    private static readonly HashSet<string> Known = new(Codes, StringComparer.Ordinal);

    /// <summary>True for one of the 18 codes (exact, upper case).</summary>
    public static bool IsKnown(string? code) => code is not null && Known.Contains(code);
}
