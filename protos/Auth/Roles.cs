namespace Lingcheng.Talent.Auth;

/// <summary>The roles of SPEC §6, as they appear in the <c>role</c> claim of a bearer token.</summary>
public static class Roles
{
    public const string HrOfficer = "hr_officer";
    public const string AgencyTerminal = "agency_terminal";
    public const string Talent = "talent";
    public const string Service = "service";
    public const string Auditor = "auditor";

    /// <summary>Every role, for checks and help texts.</summary>
    public static readonly IReadOnlyList<string> All = [HrOfficer, AgencyTerminal, Talent, Service, Auditor];
}

/// <summary>Names of the claims the services read.</summary>
public static class ClaimNames
{
    public const string Role = "role";
    public const string Agency = "agency";
    public const string Card = "card";
    public const string Terminal = "terminal";
    public const string Subject = "sub";
}
