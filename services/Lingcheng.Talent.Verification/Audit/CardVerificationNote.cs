using System.Text;
using Lingcheng.Talent.ServiceDefaults.Audit;

namespace Lingcheng.Talent.Verification.Audit;

/// <summary>
/// A row of the holder's "who verified my card" list (<c>CardVerifications</c>), derived from a
/// Verify or Redeem audit record alone, so the list can always be rebuilt from the audit trail:
/// the card when a trusted signature vouched for it (the record's target, unless its detail says
/// <c>card=unverified</c>), the agency, the verification outcome (a redeem's is its detail's
/// <c>verification=</c>), the action and the benefit. <see cref="Detail"/> writes the detail this
/// reads; the audit writer writes the notes after their records (<see cref="AuditWriter"/>).
/// </summary>
public sealed record CardVerificationNote(long AuditSequence, DateTimeOffset OccurredAt, string CardNumber, string AgencyCode, string Outcome, string Action, string? BenefitCode)
{
    private const string Unverified = "card=unverified";

    /// <summary>
    /// The detail of a Verify or Redeem audit record: <c>terminal=</c> first (free text, may hold
    /// spaces), then words without spaces, the ones <see cref="Of"/> reads last.
    /// </summary>
    public static string Detail(string terminal, byte[]? tokenId, string? kidHex, bool unverifiedCard, string? benefit, string? redemptionId, string? verification)
    {
        var detail = new StringBuilder("terminal=").Append(terminal);
        Word(detail, "token", tokenId is null ? null : Convert.ToHexStringLower(tokenId));
        Word(detail, "kid", kidHex);
        if (unverifiedCard)
        {
            detail.Append(' ').Append(Unverified);
        }

        Word(detail, "benefit", benefit);
        Word(detail, "redemption", redemptionId);
        Word(detail, "verification", verification);
        return detail.ToString();
    }

    /// <summary>The note of an audit record, or null when it has none (not a verify or redeem, or no trusted card).</summary>
    public static CardVerificationNote? Of(AuditRecord record)
    {
        var action = record.Action switch
        {
            "Verify" => "VERIFY",
            "Redeem" => "REDEEM",
            _ => null,
        };
        if (action is null || record.Target is null || record.Agency is null)
        {
            return null;
        }

        // Read the words from the end: a trusted card's detail always has kid= before them, and the
        // words after it hold no spaces (benefit codes, redemption ids and outcome names cannot).
        string? benefit = null, verification = null;
        var rest = (record.Detail ?? "").AsSpan();
        for (var space = rest.LastIndexOf(' '); space >= 0; space = rest.LastIndexOf(' '))
        {
            var word = rest[(space + 1)..];
            if (word.SequenceEqual(Unverified))
            {
                return null;
            }

            if (word.StartsWith("benefit="))
            {
                benefit = word["benefit=".Length..].ToString();
            }
            else if (word.StartsWith("verification="))
            {
                verification = word["verification=".Length..].ToString();
            }
            else if (!word.StartsWith("redemption="))
            {
                break;
            }

            rest = rest[..space];
        }

        return new CardVerificationNote(record.Sequence, record.OccurredAt, record.Target, record.Agency,
            action == "REDEEM" ? verification ?? record.Outcome : record.Outcome, action, benefit);
    }

    private static void Word(StringBuilder detail, string name, string? value)
    {
        if (value is not null)
        {
            detail.Append(' ').Append(name).Append('=').Append(value);
        }
    }
}
