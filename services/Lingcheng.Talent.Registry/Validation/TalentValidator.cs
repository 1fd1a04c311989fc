using System.Text.RegularExpressions;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Validation;

/// <summary>
/// Validates the writable fields of a talent, naming each bad field as <c>talent.&lt;field&gt;</c>.
/// Values are never echoed in descriptions (they may be personal data).
/// </summary>
public static partial class TalentValidator
{
    public const int MaxNameLength = 64;

    /// <summary>Checks every writable field of <paramref name="t"/> (already normalised, see <see cref="Normalize"/>).</summary>
    public static void Validate(V1.Talent t, FieldViolations v, DateTimeOffset now)
    {
        v.Check(!string.IsNullOrWhiteSpace(t.FullName) && t.FullName.Length <= MaxNameLength && !t.FullName.Any(char.IsControl),
            "talent.full_name", $"is required, at most {MaxNameLength} characters, without control characters");
        v.Check(t.Gender is Gender.Male or Gender.Female, "talent.gender", "must be GENDER_MALE or GENDER_FEMALE");

        var typeOk = v.Check(Enum.IsDefined(t.DocumentType) && t.DocumentType != IdentityDocumentType.Unspecified,
            "talent.document_type", "is required: RESIDENT_ID, PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT or FOREIGN_PERMANENT_RESIDENT_ID");
        if (string.IsNullOrEmpty(t.DocumentNumber))
        {
            v.Add("talent.document_number", "is required");
        }
        else if (typeOk && IdentityNumbers.Check(t.DocumentType, t.DocumentNumber, now) is { } problem)
        {
            v.Add("talent.document_number", problem);
        }

        if (!Nationalities.IsValid(t.Nationality))
        {
            v.Add("talent.nationality", "must be an ISO 3166-1 alpha-3 code, e.g. CHN");
        }
        else if (t.DocumentType == IdentityDocumentType.ResidentId && t.Nationality != "CHN")
        {
            v.Add("talent.nationality", "must be CHN for a PRC resident ID");
        }
        else if (t.DocumentType == IdentityDocumentType.ForeignPermanentResidentId && t.Nationality == "CHN")
        {
            v.Add("talent.nationality", "cannot be CHN for a foreign permanent resident ID");
        }

        v.Check(MobilePattern().IsMatch(t.MobilePhone), "talent.mobile_phone", "must be a mainland mobile number: 11 digits, 1 then 3–9");
        v.Check(!string.IsNullOrWhiteSpace(t.EmployerName) && t.EmployerName.Length <= 200 && !t.EmployerName.Any(char.IsControl),
            "talent.employer_name", "is required, at most 200 characters");
        if (CreditCodes.Check(t.EmployerCreditCode) is { } creditProblem)
        {
            v.Add("talent.employer_credit_code", creditProblem);
        }

        v.Check(Enum.IsDefined(t.Tier) && t.Tier != Tier.Unspecified, "talent.tier", "must be TIER_A, TIER_B, TIER_C or TIER_D");
        v.Check(t.Programme.Length <= 100 && !t.Programme.Any(char.IsControl), "talent.programme", "must be at most 100 characters");

        if (t.Photo.Length > 0)
        {
            var detected = PhotoFormats.Detect(t.Photo.Span);
            if (t.Photo.Length > PhotoFormats.MaxBytes)
            {
                v.Add("talent.photo", $"must be at most {PhotoFormats.MaxBytes / 1024} KB");
            }
            else if (detected is null)
            {
                v.Add("talent.photo", "must be a JPEG or PNG image");
            }
            else if (t.PhotoContentType != detected)
            {
                v.Add("talent.photo_content_type", $"must be {detected}, the type of the photo's bytes");
            }
        }
        else if (!string.IsNullOrEmpty(t.PhotoContentType))
        {
            v.Add("talent.photo_content_type", "must be empty when there is no photo");
        }
    }

    /// <summary>Trims text fields and upper-cases codes, so that equal documents compare equal.</summary>
    public static void Normalize(V1.Talent t)
    {
        t.FullName = t.FullName.Trim();
        t.DocumentNumber = t.DocumentNumber.Trim().ToUpperInvariant();
        t.Nationality = t.Nationality.Trim().ToUpperInvariant();
        t.MobilePhone = t.MobilePhone.Trim();
        t.EmployerName = t.EmployerName.Trim();
        t.EmployerCreditCode = t.EmployerCreditCode.Trim().ToUpperInvariant();
        t.Programme = t.Programme.Trim();
        t.PhotoContentType = t.PhotoContentType.Trim().ToLowerInvariant();
    }

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex MobilePattern();
}
