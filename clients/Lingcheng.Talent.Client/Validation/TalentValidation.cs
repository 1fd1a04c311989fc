using System.Globalization;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.V1;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Client.Validation;

/// <summary>One problem with one field, named as in the <c>Talent</c> message (snake_case).</summary>
/// <param name="Field">The field, e.g. <c>document_number</c>.</param>
/// <param name="Description">What is wrong, e.g. <c>the check digit is wrong</c>.</param>
public sealed record FieldProblem(string Field, string Description);

/// <summary>
/// The registration rules of SPEC §3.1, checked on the client so that a whole file can be
/// checked before anything is sent (the registry checks again on its side): PRC resident ID with
/// the GB 11643 check digit, unified social credit code with the GB 32100 check character,
/// mainland mobile number, tier, gender, document type.
/// </summary>
public static class TalentValidation
{
    /// <summary>The 31 characters of a unified social credit code (no I, O, S, V, Z).</summary>
    public const string CreditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] CreditCodeWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Longest accepted full name, employer name and programme.</summary>
    public const int MaxNameLength = 100;

    /// <summary>
    /// True for an 18-character PRC resident ID: 6-digit area code, a real date of birth
    /// (yyyyMMdd, not in the future), 3-digit sequence and the ISO 7064 MOD 11-2 check character
    /// (0–9 or upper-case X).
    /// </summary>
    public static bool IsValidResidentId(string? number) => ResidentIdProblem(number) is null;

    /// <summary>Why a resident ID is not valid, or null when it is.</summary>
    public static string? ResidentIdProblem(string? number)
    {
        if (string.IsNullOrEmpty(number))
        {
            return "is required";
        }

        if (number.Length != 18)
        {
            return "a resident ID has 18 characters";
        }

        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(number[i]))
            {
                return "the first 17 characters of a resident ID are digits";
            }
        }

        if (!DateOnly.TryParseExact(number.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born)
            || born.Year < 1900
            || born > DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)))
        {
            return "characters 7–14 are not a real date of birth";
        }

        return number[17] == ResidentIdCheckCharacter(number.AsSpan(0, 17))
            ? null
            : "the check digit (last character) is wrong";
    }

    /// <summary>The GB 11643 check character (0–9 or X) of the first 17 digits of a resident ID.</summary>
    public static char ResidentIdCheckCharacter(ReadOnlySpan<char> first17Digits)
    {
        if (first17Digits.Length != 17)
        {
            throw new ArgumentException("A resident ID has 17 digits before the check character.", nameof(first17Digits));
        }

        return Iso7064.ComputeMod11_2CheckCharacter(first17Digits);
    }

    /// <summary>True for an 18-character unified social credit code with a correct GB 32100 check character.</summary>
    public static bool IsValidCreditCode(string? code) => CreditCodeProblem(code) is null;

    /// <summary>Why a unified social credit code is not valid, or null when it is.</summary>
    public static string? CreditCodeProblem(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return "is required";
        }

        if (code.Length != 18)
        {
            return "a unified social credit code has 18 characters";
        }

        foreach (var c in code)
        {
            if (!CreditCodeAlphabet.Contains(c, StringComparison.Ordinal))
            {
                return $"'{c}' is not allowed in a unified social credit code (digits and upper-case letters except I, O, S, V, Z)";
            }
        }

        return code[17] == CreditCodeCheckCharacter(code.AsSpan(0, 17))
            ? null
            : "the check character (last character) is wrong";
    }

    /// <summary>The GB 32100 check character of the first 17 characters of a unified social credit code.</summary>
    public static char CreditCodeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("A credit code has 17 characters before the check character.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = CreditCodeAlphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not a credit code character.", nameof(first17));
            }

            sum += value * CreditCodeWeights[i];
        }

        var check = (31 - (sum % 31)) % 31;
        return CreditCodeAlphabet[check];
    }

    /// <summary>True for a mainland mobile number: 11 digits, starting with 1 and then 3–9.</summary>
    public static bool IsValidMobilePhone(string? number) =>
        number is { Length: 11 } && number[0] == '1' && number[1] is >= '3' and <= '9' && number.All(char.IsAsciiDigit);

    /// <summary>Reads a tier: <c>A</c>–<c>D</c> (any case) or <c>TIER_A</c>…</summary>
    public static bool TryParseTier(string? text, out Tier tier)
    {
        tier = (text ?? "").Trim().ToUpperInvariant() switch
        {
            "A" or "TIER_A" => Tier.A,
            "B" or "TIER_B" => Tier.B,
            "C" or "TIER_C" => Tier.C,
            "D" or "TIER_D" => Tier.D,
            _ => Tier.Unspecified,
        };
        return tier != Tier.Unspecified;
    }

    /// <summary>Reads a gender: <c>male</c>/<c>female</c>, <c>M</c>/<c>F</c>, 男/女, <c>GENDER_MALE</c>…</summary>
    public static bool TryParseGender(string? text, out Gender gender)
    {
        gender = (text ?? "").Trim().ToUpperInvariant() switch
        {
            "M" or "MALE" or "GENDER_MALE" or "男" => Gender.Male,
            "F" or "FEMALE" or "GENDER_FEMALE" or "女" => Gender.Female,
            _ => Gender.Unspecified,
        };
        return gender != Gender.Unspecified;
    }

    /// <summary>Reads a document type: <c>RESIDENT_ID</c>, <c>PASSPORT</c>, <c>HK_MACAO_PERMIT</c>, <c>TAIWAN_PERMIT</c>, <c>FOREIGN_PERMANENT_RESIDENT_ID</c> (with or without the <c>IDENTITY_DOCUMENT_TYPE_</c> prefix, any case).</summary>
    public static bool TryParseDocumentType(string? text, out IdentityDocumentType type)
    {
        var name = (text ?? "").Trim().ToUpperInvariant().Replace('-', '_');
        if (name.StartsWith("IDENTITY_DOCUMENT_TYPE_", StringComparison.Ordinal))
        {
            name = name["IDENTITY_DOCUMENT_TYPE_".Length..];
        }

        type = name switch
        {
            "RESIDENT_ID" or "ID" => IdentityDocumentType.ResidentId,
            "PASSPORT" => IdentityDocumentType.Passport,
            "HK_MACAO_PERMIT" => IdentityDocumentType.HkMacaoPermit,
            "TAIWAN_PERMIT" => IdentityDocumentType.TaiwanPermit,
            "FOREIGN_PERMANENT_RESIDENT_ID" => IdentityDocumentType.ForeignPermanentResidentId,
            _ => IdentityDocumentType.Unspecified,
        };
        return type != IdentityDocumentType.Unspecified;
    }

    /// <summary>Why a document number is not valid for its type, or null when it is.</summary>
    public static string? DocumentNumberProblem(IdentityDocumentType type, string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            return "is required";
        }

        if (type == IdentityDocumentType.ResidentId)
        {
            return ResidentIdProblem(number);
        }

        // Passports and permits differ by issuing country; the registry accepts 5–20 upper-case letters and digits.
        return number.Length is >= 5 and <= 20 && number.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c))
            ? null
            : "must be 5–20 upper-case letters and digits";
    }

    /// <summary>
    /// Checks a talent as it is sent to <c>CreateTalent</c> (or, with <paramref name="onlyFields"/>, the
    /// fields of an update). Returns every problem; empty when the talent may be sent.
    /// </summary>
    public static IReadOnlyList<FieldProblem> Validate(V1.Talent talent, IReadOnlyCollection<string>? onlyFields = null)
    {
        ArgumentNullException.ThrowIfNull(talent);
        var problems = new List<FieldProblem>();
        bool Checks(string field) => onlyFields is null || onlyFields.Contains(field);
        void Add(string field, string? problem)
        {
            if (problem is not null && Checks(field))
            {
                problems.Add(new FieldProblem(field, problem));
            }
        }

        Add("full_name", string.IsNullOrWhiteSpace(talent.FullName) ? "is required"
            : talent.FullName.Length > MaxNameLength ? $"at most {MaxNameLength} characters" : null);
        Add("gender", talent.Gender == Gender.Unspecified ? "is required (male or female)" : null);
        if (talent.DocumentType == IdentityDocumentType.Unspecified)
        {
            Add("document_type", "is required (RESIDENT_ID, PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT or FOREIGN_PERMANENT_RESIDENT_ID)");
        }
        else
        {
            Add("document_number", DocumentNumberProblem(talent.DocumentType, talent.DocumentNumber));
        }

        Add("nationality", talent.Nationality is { Length: 3 } n && n.All(char.IsAsciiLetterUpper)
            ? null : "an ISO 3166-1 alpha-3 code such as CHN");
        Add("mobile_phone", string.IsNullOrEmpty(talent.MobilePhone) ? "is required"
            : IsValidMobilePhone(talent.MobilePhone) ? null : "a mainland mobile number has 11 digits starting with 13–19");
        Add("employer_name", string.IsNullOrWhiteSpace(talent.EmployerName) ? "is required"
            : talent.EmployerName.Length > MaxNameLength * 2 ? $"at most {MaxNameLength * 2} characters" : null);
        Add("employer_credit_code", CreditCodeProblem(talent.EmployerCreditCode));
        Add("tier", talent.Tier == Tier.Unspecified ? "is required (A, B, C or D)" : null);
        Add("programme", talent.Programme.Length > MaxNameLength ? $"at most {MaxNameLength} characters" : null);
        return problems;
    }
}
