using System.Text.Json.Nodes;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;
using static Lingcheng.Talent.Cli.Infrastructure.CliOutput;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary>How talents, cards, benefits and outcomes look in tables.</summary>
internal static class Views
{
    public static string TalentDetails(V1.Talent t) => Table.KeyValues(
    [
        ("Talent id", t.TalentId),
        ("Name", t.FullName),
        ("Gender", GenderText(t.Gender)),
        ("Document", $"{ProtoNames.Short(t.DocumentType)} {t.DocumentNumber}"),
        ("Nationality", t.Nationality),
        ("Mobile", t.MobilePhone),
        ("Employer", t.EmployerName),
        ("Credit code", t.EmployerCreditCode),
        ("Tier", TierText(t.Tier)),
        ("Programme", t.Programme),
        ("Photo", t.PhotoContentType.Length > 0 ? t.PhotoContentType : null),
        ("Card", t.CardNumber.Length > 0 ? $"{t.CardNumber} ({StateText(t.CardState)})" : "none"),
        ("Registered", Time(t.CreateTime)),
        ("Updated", Time(t.UpdateTime)),
    ]);

    public static Table TalentTable(IEnumerable<V1.Talent> talents)
    {
        var table = new Table("TALENT ID", "NAME", "GENDER", "TIER", "DOCUMENT", "MOBILE", "EMPLOYER", "CARD", "STATE");
        foreach (var t in talents)
        {
            table.Add(t.TalentId, t.FullName, GenderText(t.Gender), TierText(t.Tier), Masking.DocumentNumber(t.DocumentNumber), Masking.Phone(t.MobilePhone),
                DisplayWidth.Truncate(t.EmployerName, 30), t.CardNumber, StateText(t.CardState));
        }

        return table;
    }

    public static string CardDetails(Card c) => Table.KeyValues(
    [
        ("Card number", c.CardNumber),
        ("Holder", c.HolderDisplayName),
        ("Talent id", c.TalentId),
        ("State", StateText(c.State)),
        ("Tier", TierText(c.Tier)),
        ("Version", c.CardVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("Issued", Time(c.IssueTime)),
        ("Expires", Time(c.ExpireTime)),
        ("Updated", Time(c.UpdateTime)),
        ("Revocation reason", c.RevocationReason == RevocationReason.Unspecified ? null : ProtoNames.Short(c.RevocationReason)),
        ("Note", c.StateNote),
    ]);

    public static Table CardTable(IEnumerable<Card> cards)
    {
        var table = new Table("CARD", "HOLDER", "TIER", "STATE", "VERSION", "ISSUED", "EXPIRES", "TALENT ID");
        foreach (var c in cards)
        {
            table.Add(c.CardNumber, c.HolderDisplayName, TierText(c.Tier), StateText(c.State), c.CardVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Date(c.IssueTime), Date(c.ExpireTime), c.TalentId);
        }

        return table;
    }

    public static Table EntitlementTable(IEnumerable<Entitlement> entitlements)
    {
        var table = new Table("BENEFIT", "NAME", "ELIGIBLE", "STATUS", "QUOTA", "USED", "LEFT");
        foreach (var e in entitlements)
        {
            var unlimited = e.QuotaPeriod == QuotaPeriod.Unlimited;
            table.Add(e.BenefitCode, e.BenefitName, e.Eligible ? "yes" : "no", Entitlement(e.Status), Quota(e.QuotaPeriod, e.QuotaLimit),
                e.Used.ToString(System.Globalization.CultureInfo.InvariantCulture),
                unlimited ? "∞" : e.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return table;
    }

    public static Table BenefitTable(IEnumerable<Benefit> benefits)
    {
        var table = new Table("CODE", "NAME", "TIERS", "QUOTA", "PROVIDERS", "ACTIVE", "REV");
        foreach (var b in benefits)
        {
            table.Add(b.Code, b.Name, string.Join("", b.EligibleTiers.Select(TierText)), Quota(b.QuotaPeriod, b.QuotaLimit),
                string.Join(",", b.ProviderAgencyCodes), b.Active ? "yes" : "no", b.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return table;
    }

    public static Table RedemptionTable(IEnumerable<Redemption> redemptions)
    {
        var table = new Table("WHEN", "BENEFIT", "AGENCY", "TERMINAL", "PERIOD", "VERSION", "CANCELLED", "REDEMPTION ID");
        foreach (var r in redemptions)
        {
            table.Add(Time(r.RedeemTime), r.BenefitCode, r.AgencyCode, r.TerminalId, r.Period, r.CardVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                r.Cancelled ? $"yes {Time(r.CancelTime)} {r.CancelReason}".Trim() : "", r.RedemptionId);
        }

        return table;
    }

    public static string VerifyDetails(VerifyResponse r) => Table.KeyValues(
    [
        ("Outcome", Outcome(r.Outcome)),
        ("Message", r.Message),
        ("Card", r.CardNumber),
        ("Holder", r.HolderDisplayName),
        ("Tier", TierText(r.Tier)),
        ("Card version", r.CardVersion > 0 ? r.CardVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
        ("Card expires", Date(r.CardExpiresAt)),
        ("State as of", Time(r.StateAsOf)),
        ("Photo", r.PhotoContentType.Length > 0 ? $"{r.PhotoContentType}, {r.Photo.Length} bytes" : null),
        ("Verification id", r.VerificationId),
    ]);

    public static JsonObject Problems(IEnumerable<(int Line, string Field, string Problem)> problems) => new()
    {
        ["invalid"] = new JsonArray([.. problems.Select(p => (JsonNode?)new JsonObject { ["line"] = p.Line, ["field"] = p.Field, ["problem"] = p.Problem })]),
    };
}
