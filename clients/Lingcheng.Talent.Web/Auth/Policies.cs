using Lingcheng.Talent.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Web.Auth;

/// <summary>Who may open which area (SPEC §9). The services check every call again with the same token.</summary>
public static class Policies
{
    /// <summary>The desk: an agency terminal, with the agency it works for.</summary>
    public const string Desk = "desk";

    /// <summary>The talent's own card: a talent, with the card number of their token.</summary>
    public const string Card = "card";

    /// <summary>The HR console's writes: an HR officer.</summary>
    public const string Hr = "hr";

    /// <summary>The HR console's pages: an HR officer, or an auditor of the Organisation Department (read-only).</summary>
    public const string HrRead = "hr-read";

    public static AuthorizationBuilder AddWebPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Desk, p => p.RequireAuthenticatedUser().RequireRole(Roles.AgencyTerminal).RequireClaim(ClaimNames.Agency))
        .AddPolicy(Card, p => p.RequireAuthenticatedUser().RequireRole(Roles.Talent).RequireClaim(ClaimNames.Card))
        .AddPolicy(Hr, p => p.RequireAuthenticatedUser().RequireRole(Roles.HrOfficer))
        .AddPolicy(HrRead, p => p.RequireAuthenticatedUser().RequireRole(Roles.HrOfficer, Roles.Auditor));
}
