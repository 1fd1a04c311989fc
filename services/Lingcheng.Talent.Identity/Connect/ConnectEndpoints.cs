using System.Text.Json;
using Lingcheng.Talent.Identity.Accounts;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Lingcheng.Talent.Identity.Connect;

/// <summary>
/// The OpenID Connect endpoints that need the application's word (OpenIddict handles discovery, JWKS,
/// the device authorization endpoint and all protocol checks): who is signed in for an authorization
/// request, whose token a code or client becomes, and signing out.
/// </summary>
public static class ConnectEndpoints
{
    private const string Server = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static IEndpointRouteBuilder MapConnectEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Delegate)AuthorizeAsync);
        app.MapPost("/connect/token", (Delegate)TokenAsync);
        app.MapMethods("/connect/logout", ["GET", "POST"], (Delegate)LogoutAsync);
        app.MapMethods("/connect/userinfo", ["GET", "POST"], (Delegate)UserInfoAsync);
        return app;
    }

    /// <summary>Authorization code flow: the signed-in account (or the sign-in page first), then its code.</summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext context, AccountGate gate, IOptions<IdentityProviderOptions> options, AccountAudit audit)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var cookie = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var here = context.Request.PathBase + context.Request.Path + QueryString.Create(
            context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList());
        var account = cookie.Succeeded ? await gate.UsableAccountAsync(cookie.Principal) : null;
        if (account is null)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "The user is not signed in.");
            }

            return Results.Challenge(new AuthenticationProperties { RedirectUri = here }, [IdentityConstants.ApplicationScheme]);
        }

        if (gate.NextStep(account, here) is { } step)
        {
            return Results.Redirect(step);
        }

        await audit.RecordAsync(AccountAudit.Self(account.UserName), "Authorize", account.UserName, "OK", $"client {request.ClientId}");
        return Results.SignIn(AccountClaims.For(account, request.GetScopes(), options.Value), null, Server);
    }

    /// <summary>The token endpoint: codes (browser and device) become the account's token; client credentials the client's.</summary>
    private static async Task<IResult> TokenAsync(
        HttpContext context, UserManager<Account> users, IOpenIddictApplicationManager applications, IOptions<IdentityProviderOptions> options)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!)
                ?? throw new InvalidOperationException("OpenIddict authenticated an unknown client.");
            var properties = await applications.GetPropertiesAsync(application);
            if (!properties.TryGetValue(ClientProperties.Identity, out var value) || value.Deserialize<ClientIdentity>(ClientProperties.Json) is not { } client)
            {
                return Refuse(Errors.UnauthorizedClient, "This client may not act on its own behalf.");
            }

            return Results.SignIn(AccountClaims.ForClient(request.ClientId!, client, request.GetScopes(), options.Value.Audience), null, Server);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsDeviceCodeGrantType())
        {
            var granted = await context.AuthenticateAsync(Server);
            var account = granted.Principal?.GetClaim(Claims.Subject) is { } subject ? await users.FindByNameAsync(subject) : null;
            if (account is null || account.Disabled || await users.IsLockedOutAsync(account))
            {
                return Refuse(Errors.InvalidGrant, "The account can no longer sign in.");
            }

            return Results.SignIn(AccountClaims.For(account, granted.Principal!.GetScopes(), options.Value), null, Server);
        }

        return Refuse(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    /// <summary>Ends the provider's session and returns to the client's registered post-sign-out address.</summary>
    private static async Task<IResult> LogoutAsync(HttpContext context, SignInManager<Account> signIn, AccountAudit audit)
    {
        if ((await context.AuthenticateAsync(IdentityConstants.ApplicationScheme)).Principal?.Identity?.Name is { } name)
        {
            await audit.RecordAsync(AccountAudit.Self(name), "SignOut", name, "OK");
        }

        await signIn.SignOutAsync();
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/signed-out" }, [Server]);
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Server);
        if (result.Principal is not { } principal)
        {
            return Results.Challenge(null, [Server]);
        }

        var claims = new Dictionary<string, object?> { [Claims.Subject] = principal.GetClaim(Claims.Subject) };
        foreach (var type in new[] { Claims.Role, "agency", "terminal", "card" })
        {
            if (principal.GetClaim(type) is { } value)
            {
                claims[type] = value;
            }
        }

        return Results.Json(claims);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [Server]);
}

/// <summary>What the provider keeps in a client's properties.</summary>
public static class ClientProperties
{
    /// <summary>The identity a client-credentials client acts as (<see cref="ClientIdentity"/>).</summary>
    public const string Identity = "lct_identity";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
