using System.Globalization;
using System.Text.RegularExpressions;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Rules.Talents;

/// <summary>
/// Checks of identity-document numbers (SPEC §3.1). Each check returns null when the number is
/// fine, otherwise a description for the field violation (never the number itself).
/// </summary>
public static partial class IdentityNumbers
{
    /// <summary>Province-level prefixes of GB/T 2260 region codes (mainland, plus 71/81/82 used on resident permits).</summary>
    private static readonly HashSet<int> Provinces =
    [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    ];

    /// <summary>The normalised form: trimmed, upper case (a lower-case x check digit is accepted).</summary>
    public static string Normalize(string number) => number.Trim().ToUpperInvariant();

    public static string? Check(IdentityDocumentType type, string number, DateTimeOffset now) => type switch
    {
        IdentityDocumentType.ResidentId => CheckResidentId(number, now),
        IdentityDocumentType.Passport => PassportPattern().IsMatch(number) && number.Any(char.IsAsciiDigit)
            ? null : "must be a passport number of 5–17 letters and digits, with at least one digit",
        IdentityDocumentType.HkMacaoPermit => HkMacaoPattern().IsMatch(number)
            ? null : "must be H or M followed by 8 or 10 digits (Mainland travel permit for Hong Kong and Macao residents)",
        IdentityDocumentType.TaiwanPermit => TaiwanPattern().IsMatch(number)
            ? null : "must be 8 or 10 digits (Mainland travel permit for Taiwan residents)",
        IdentityDocumentType.ForeignPermanentResidentId => CheckForeignPermanentResidentId(number),
        _ => null, // the type itself is reported on talent.document_type
    };

    /// <summary>18-character PRC resident ID: region code, birth date (age 16–100, not in the future), GB 11643 check digit.</summary>
    public static string? CheckResidentId(string number, DateTimeOffset now)
    {
        if (!ResidentIdPattern().IsMatch(number))
        {
            return "must be 17 digits followed by a digit or X (18-character resident ID)";
        }

        if (!Provinces.Contains(int.Parse(number.AsSpan(0, 2), CultureInfo.InvariantCulture)))
        {
            return "has an unknown region code (the first 6 digits)";
        }

        if (!DateOnly.TryParseExact(number.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
        {
            return "has an impossible birth date (digits 7–14)";
        }

        var today = DateOnly.FromDateTime(now.ToOffset(TimeSpan.FromHours(8)).DateTime);
        if (birth > today)
        {
            return "has a birth date in the future";
        }

        var age = today.Year - birth.Year - (today < birth.AddYears(today.Year - birth.Year) ? 1 : 0);
        if (age is < 16 or > 100)
        {
            return "has a birth date outside the plausible range (age 16–100)";
        }

        return Iso7064.ComputeMod11_2CheckCharacter(number.AsSpan(0, 17)) == number[17]
            ? null : "has a wrong check digit (GB 11643)";
    }

    /// <summary>Foreign permanent resident ID: the 2017 form (3 letters + 12 digits) or the 2023 form (18 characters starting with 9, GB 11643 check digit).</summary>
    public static string? CheckForeignPermanentResidentId(string number)
    {
        if (OldForeignPattern().IsMatch(number))
        {
            return null;
        }

        if (NewForeignPattern().IsMatch(number))
        {
            return Iso7064.ComputeMod11_2CheckCharacter(number.AsSpan(0, 17)) == number[17] ? null : "has a wrong check digit";
        }

        return "must be 3 letters and 12 digits, or 18 characters starting with 9 (foreign permanent resident ID)";
    }

    [GeneratedRegex(@"^\d{17}[\dX]$")]
    private static partial Regex ResidentIdPattern();

    [GeneratedRegex(@"^[A-Z0-9]{5,17}$")]
    private static partial Regex PassportPattern();

    [GeneratedRegex(@"^[HM](\d{8}|\d{10})$")]
    private static partial Regex HkMacaoPattern();

    [GeneratedRegex(@"^(\d{8}|\d{10})$")]
    private static partial Regex TaiwanPattern();

    [GeneratedRegex(@"^[A-Z]{3}\d{12}$")]
    private static partial Regex OldForeignPattern();

    [GeneratedRegex(@"^9\d{16}[\dX]$")]
    private static partial Regex NewForeignPattern();
}

/// <summary>Unified social credit codes (GB 32100-2015): 18 characters with a mod-31 check character.</summary>
public static class CreditCodes
{
    /// <summary>The 31 characters of the code, in value order (no I, O, Z, S, V).</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>The check character for the first 17 characters, or null when one is outside the alphabet.</summary>
    public static char? ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0)
            {
                return null;
            }

            sum += value * Weights[i];
        }

        return Alphabet[(31 - sum % 31) % 31];
    }

    public static string? Check(string code)
    {
        if (code.Length != 18)
        {
            return "must be 18 characters (unified social credit code)";
        }

        if (code.Any(c => Alphabet.IndexOf(c) < 0))
        {
            return "may contain only digits and the letters ABCDEFGHJKLMNPQRTUWXY";
        }

        if (code.AsSpan(2, 6).ContainsAnyExcept("0123456789"))
        {
            return "must have a 6-digit region code in characters 3–8";
        }

        return ComputeCheckCharacter(code.AsSpan(0, 17)) == code[17] ? null : "has a wrong check character (GB 32100)";
    }
}
