using System.Text.RegularExpressions;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Rules.Talents;

/// <summary>One problem with one field, named as in the <c>Talent</c> message (snake_case).</summary>
/// <param name="Field">The field, e.g. <c>document_number</c>.</param>
/// <param name="Description">What is wrong, e.g. <c>has a wrong check digit (GB 11643)</c>; never the value itself (it may be personal data).</param>
public sealed record FieldProblem(string Field, string Description);

/// <summary>
/// The registration rules of a talent (docs/requirements.md §3.1): the one copy the registry enforces and
/// the SDK, lct and the web app check before sending, so a file that checks clean here is accepted there.
/// </summary>
public static partial class TalentRules
{
    public const int MaxNameLength = 64;

    public const int MaxEmployerNameLength = 200;

    public const int MaxProgrammeLength = 100;

    /// <summary>The fields <see cref="Validate"/> checks, as named in the <c>Talent</c> message.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "full_name", "gender", "document_type", "document_number", "nationality", "mobile_phone",
        "employer_name", "employer_credit_code", "tier", "programme", "photo", "photo_content_type",
    ];

    /// <summary>
    /// Every problem of <paramref name="talent"/> as the registry would judge it at <paramref name="now"/>
    /// (on its normalised copy, see <see cref="Normalize"/>); empty when it may be sent. With
    /// <paramref name="onlyFields"/>, only the problems of those fields (an update's field mask).
    /// </summary>
    public static IReadOnlyList<FieldProblem> Validate(V1.Talent talent, DateTimeOffset now, IReadOnlyCollection<string>? onlyFields = null)
    {
        ArgumentNullException.ThrowIfNull(talent);
        var t = talent.Clone();
        Normalize(t);
        var problems = new List<FieldProblem>();
        void Add(string field, string description)
        {
            if (onlyFields is null || onlyFields.Contains(field))
            {
                problems.Add(new FieldProblem(field, description));
            }
        }

        if (!IsText(t.FullName, MaxNameLength, required: true))
        {
            Add("full_name", $"is required, at most {MaxNameLength} characters, without control characters");
        }

        if (t.Gender is not (Gender.Male or Gender.Female))
        {
            Add("gender", "must be GENDER_MALE or GENDER_FEMALE");
        }

        var typeOk = Enum.IsDefined(t.DocumentType) && t.DocumentType != IdentityDocumentType.Unspecified;
        if (!typeOk)
        {
            Add("document_type", "is required: RESIDENT_ID, PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT or FOREIGN_PERMANENT_RESIDENT_ID");
        }

        if (string.IsNullOrEmpty(t.DocumentNumber))
        {
            Add("document_number", "is required");
        }
        else if (typeOk && IdentityNumbers.Check(t.DocumentType, t.DocumentNumber, now) is { } problem)
        {
            Add("document_number", problem);
        }

        if (!Nationalities.IsValid(t.Nationality))
        {
            Add("nationality", "must be an ISO 3166-1 alpha-3 code, e.g. CHN");
        }
        else if (t.DocumentType == IdentityDocumentType.ResidentId && t.Nationality != "CHN")
        {
            Add("nationality", "must be CHN for a PRC resident ID");
        }
        else if (t.DocumentType == IdentityDocumentType.ForeignPermanentResidentId && t.Nationality == "CHN")
        {
            Add("nationality", "cannot be CHN for a foreign permanent resident ID");
        }

        if (!IsValidMobilePhone(t.MobilePhone))
        {
            Add("mobile_phone", "must be a mainland mobile number: 11 digits, 1 then 3–9");
        }

        if (!IsText(t.EmployerName, MaxEmployerNameLength, required: true))
        {
            Add("employer_name", $"is required, at most {MaxEmployerNameLength} characters, without control characters");
        }

        if (CreditCodes.Check(t.EmployerCreditCode) is { } creditProblem)
        {
            Add("employer_credit_code", creditProblem);
        }

        if (!Enum.IsDefined(t.Tier) || t.Tier == Tier.Unspecified)
        {
            Add("tier", "must be TIER_A, TIER_B, TIER_C or TIER_D");
        }

        if (!IsText(t.Programme, MaxProgrammeLength, required: false))
        {
            Add("programme", $"must be at most {MaxProgrammeLength} characters, without control characters");
        }

        if (t.Photo.Length > 0)
        {
            var detected = PhotoFormats.Detect(t.Photo.Span);
            if (t.Photo.Length > PhotoFormats.MaxBytes)
            {
                Add("photo", $"must be at most {PhotoFormats.MaxBytes / 1024} KB");
            }
            else if (detected is null)
            {
                Add("photo", "must be a JPEG or PNG image");
            }
            else if (t.PhotoContentType != detected)
            {
                Add("photo_content_type", $"must be {detected}, the type of the photo's bytes");
            }
        }
        else if (!string.IsNullOrEmpty(t.PhotoContentType))
        {
            Add("photo_content_type", "must be empty when there is no photo");
        }

        return problems;
    }

    /// <summary>Trims text fields and upper-cases codes, so that equal documents compare equal.</summary>
    public static void Normalize(V1.Talent t)
    {
        t.FullName = t.FullName.Trim();
        t.DocumentNumber = IdentityNumbers.Normalize(t.DocumentNumber);
        t.Nationality = t.Nationality.Trim().ToUpperInvariant();
        t.MobilePhone = t.MobilePhone.Trim();
        t.EmployerName = t.EmployerName.Trim();
        t.EmployerCreditCode = t.EmployerCreditCode.Trim().ToUpperInvariant();
        t.Programme = t.Programme.Trim();
        t.PhotoContentType = t.PhotoContentType.Trim().ToLowerInvariant();
    }

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

    /// <summary>True for a mainland mobile number: 11 digits, 1 then 3–9.</summary>
    public static bool IsValidMobilePhone(string? number) => number is not null && MobilePattern().IsMatch(number);

    private static bool IsText(string value, int maxLength, bool required) =>
        (!required || !string.IsNullOrWhiteSpace(value)) && value.Length <= maxLength && !value.Any(char.IsControl);

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex MobilePattern();
}
