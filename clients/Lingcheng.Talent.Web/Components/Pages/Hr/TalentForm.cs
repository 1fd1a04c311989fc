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
