using Lingcheng.Talent.Client.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Lingcheng.Talent.Web.Auth;

/// <summary>Who may open which area (SPEC §9). The services check every call again with the same token.</summary>
public static class Policies
{
    /// <summary>The desk: an agency terminal, with the agency it works for.</summary>
    public const string Desk = "desk";

    /// <summary>The talent's own card: a talent, with the card number of their token.</summary>
    public const string Card = "card";

    public static AuthorizationBuilder AddWebPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Desk, p => p.RequireAuthenticatedUser().RequireRole(Roles.AgencyTerminal).RequireClaim(ClaimNames.Agency))
        .AddPolicy(Card, p => p.RequireAuthenticatedUser().RequireRole(Roles.Talent).RequireClaim(ClaimNames.Card));
}
