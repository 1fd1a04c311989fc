using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Web.Components.Pages.Hr;

/// <summary>
/// The register form's fields as posted. No rule lives here: the registry checks the talent and its
/// answer names each bad field, which the form shows beside that field. The request id is drawn when
/// the form is first shown, so posting the same form twice registers the talent once.
/// </summary>
public sealed class TalentForm
{
    /// <summary>The registry's photo limit (SPEC: ≤ 200 KB); only this much more is read from an upload.</summary>
    public const int MaxPhotoBytes = 200 * 1024;

    public string RequestId { get; set; } = "web-" + Guid.NewGuid().ToString("N");

    public string? FullName { get; set; }

    public Gender Gender { get; set; } = Gender.Male;

    public IdentityDocumentType DocumentType { get; set; } = IdentityDocumentType.ResidentId;

    public string? DocumentNumber { get; set; }

    public string? Nationality { get; set; } = "CHN";

    public string? MobilePhone { get; set; }

    public string? EmployerName { get; set; }

    public string? EmployerCreditCode { get; set; }

    public Tier Tier { get; set; } = Tier.C;

    public string? Programme { get; set; }

    /// <summary>The form filled from a record, for editing it.</summary>
    public static TalentForm From(V1.Talent t) => new()
    {
        FullName = t.FullName,
        Gender = t.Gender,
        DocumentType = t.DocumentType,
        DocumentNumber = t.DocumentNumber,
        Nationality = t.Nationality,
        MobilePhone = t.MobilePhone,
        EmployerName = t.EmployerName,
        EmployerCreditCode = t.EmployerCreditCode,
        Tier = t.Tier,
        Programme = t.Programme,
    };

    /// <summary>The fields the form edits (an update changes these, and the photo only when one is uploaded).</summary>
    public static readonly string[] Fields =
        ["full_name", "gender", "document_type", "document_number", "nationality", "mobile_phone", "employer_name", "employer_credit_code", "tier", "programme"];

    public V1.Talent ToTalent() => new()
    {
        FullName = FullName?.Trim() ?? "",
        Gender = Gender,
        DocumentType = DocumentType,
        DocumentNumber = DocumentNumber?.Trim() ?? "",
        Nationality = Nationality?.Trim() ?? "",
        MobilePhone = MobilePhone?.Trim() ?? "",
        EmployerName = EmployerName?.Trim() ?? "",
        EmployerCreditCode = EmployerCreditCode?.Trim() ?? "",
        Tier = Tier,
        Programme = Programme?.Trim() ?? "",
    };
}
