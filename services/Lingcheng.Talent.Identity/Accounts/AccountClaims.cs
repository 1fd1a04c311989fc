using System.Security.Claims;
using Lingcheng.Talent.Auth;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Lingcheng.Talent.Identity.Accounts;

/// <summary>
/// The claims of the tokens the provider issues: exactly what the services read (<see cref="ClaimNames"/>):
/// <c>sub</c>, one <c>role</c>, and the <c>agency</c>/<c>terminal</c> of a desk or the <c>card</c> of a talent,
/// for the one audience every service validates.
/// </summary>
public static class AccountClaims
{
    /// <summary>
    /// A person's or a desk's principal, built afresh from the account at every token. A desk's token lasts
    /// a working shift (<see cref="IdentityProviderOptions.DeskAccessTokenLifetime"/>): the desk page works
    /// over one live connection all day and cannot fetch a new token in the middle of a queue.
    /// </summary>
    public static ClaimsPrincipal For(Account account, IEnumerable<string> scopes, IdentityProviderOptions options)
    {
        var principal = Build(account.UserName!, account.Role, account.DisplayName, account.Agency, account.Terminal, account.Card, scopes, options.Audience);
        if (account.Role == Roles.AgencyTerminal)
        {
            principal.SetAccessTokenLifetime(options.DeskAccessTokenLifetime);
        }

        return principal;
    }

    /// <summary>A client's own principal (client credentials): a service, or an agency's system acting as a desk.</summary>
    public static ClaimsPrincipal ForClient(string clientId, ClientIdentity client, IEnumerable<string> scopes, string audience) =>
        Build(clientId, client.Role, client.DisplayName, client.Agency, client.Terminal, card: null, scopes, audience);

    private static ClaimsPrincipal Build(
        string subject, string role, string? name, string? agency, string? terminal, string? card, IEnumerable<string> scopes, string audience)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject)
            .SetClaim(Claims.Name, name ?? subject)
            .SetClaim(ClaimNames.Role, role)
            .SetClaim(ClaimNames.Agency, agency)
            .SetClaim(ClaimNames.Terminal, terminal)
            .SetClaim(ClaimNames.Card, card);
        identity.SetScopes(scopes);
        identity.SetAudiences(audience);
        identity.SetDestinations(claim => claim.Type == Claims.Name
            ? [Destinations.IdentityToken]
            : [Destinations.AccessToken, Destinations.IdentityToken]);
        return new ClaimsPrincipal(identity);
    }
}

/// <summary>Who a client-credentials client acts as, kept in the client's properties.</summary>
public sealed record ClientIdentity(string Role, string? DisplayName = null, string? Agency = null, string? Terminal = null);
