using System.Security.Claims;
using Grpc.Core;
using Lingcheng.Talent.Auth;

namespace Lingcheng.Talent.Web.Auth;

/// <summary>
/// The signed-in person as the web app knows them: the claims of their access token, and the token
/// itself, which the app forwards on every gRPC call. The token lives in the encrypted session cookie
/// and in server memory only; no page or script ever receives it.
/// </summary>
public sealed record WebUser(string Subject, string Role, string? Agency, string? Terminal, string? Card, string AccessToken)
{
    /// <summary>Claim of the session cookie that holds the access token.</summary>
    public const string AccessTokenClaim = "lct_access_token";

    public bool IsAgencyTerminal => Role == Roles.AgencyTerminal && !string.IsNullOrEmpty(Agency);

    /// <summary>The terminal id the desk works under: the token's terminal claim, else its subject.</summary>
    public string TerminalId => string.IsNullOrEmpty(Terminal) ? Subject : Terminal;

    /// <summary>Call options that present the user's token to a service.</summary>
    public CallOptions Call(CancellationToken cancellationToken = default) =>
        new(new Metadata { { "Authorization", "Bearer " + AccessToken } }, cancellationToken: cancellationToken);

    /// <summary>Reads the user from the session's principal; null when not signed in or the session carries no token.</summary>
    public static WebUser? From(ClaimsPrincipal? principal)
    {
        var token = principal?.FindFirstValue(AccessTokenClaim);
        if (principal?.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(token))
        {
            return null;
        }

        return new WebUser(
            principal.FindFirstValue(ClaimNames.Subject) ?? "",
            principal.FindFirstValue(ClaimNames.Role) ?? "",
            principal.FindFirstValue(ClaimNames.Agency),
            principal.FindFirstValue(ClaimNames.Terminal),
            principal.FindFirstValue(ClaimNames.Card),
            token);
    }

    /// <summary>
    /// The session principal for an access token: its role, agency, terminal and card claims (as the
    /// services will read them) plus the token itself.
    /// </summary>
    public static ClaimsPrincipal Principal(string accessToken, IEnumerable<Claim> tokenClaims, string authenticationType)
    {
        string[] kept = [ClaimNames.Subject, ClaimNames.Role, ClaimNames.Agency, ClaimNames.Terminal, ClaimNames.Card, "name"];
        var claims = tokenClaims.Where(c => kept.Contains(c.Type)).Select(c => new Claim(c.Type, c.Value)).ToList();
        claims.Add(new Claim(AccessTokenClaim, accessToken));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimNames.Subject, ClaimNames.Role));
    }
}
