using System.Text.RegularExpressions;
using Lingcheng.Talent.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Web.Auth;

/// <summary>Sign-in, sign-out and the language choice, as plain form posts and links.</summary>
public static partial class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignInEndpoints(this IEndpointRouteBuilder app, bool developmentSignIn)
    {
        if (developmentSignIn)
        {
            app.MapPost("/signin/development", SignInForDevelopment).AllowAnonymous();
        }
        else
        {
            // A production sign-in starts at the authority; the /signin page links here.
            app.MapGet("/signin/oidc", (string? returnUrl) => Results.Challenge(new AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) })).AllowAnonymous();
        }

        // Signing out ends the app's session and, with OpenID Connect, the authority's too (its end-session
        // endpoint, then back to /signout-callback-oidc and the start page): otherwise the next visit would
        // be signed in again silently by the authority's still-open session.
        app.MapPost("/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return developmentSignIn
                ? Results.LocalRedirect("/")
                : Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [WebAuthentication.OidcScheme]);
        }).AllowAnonymous();

        app.MapGet("/culture", (HttpContext context, string? name, string? returnUrl) =>
        {
            var culture = name is "en" ? "en" : "zh-CN";
            context.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            return Results.LocalRedirect(LocalOrRoot(returnUrl));
        }).AllowAnonymous();
        return app;
    }

    /// <summary>The first page of a role's area.</summary>
    public static string HomeOf(string role) => role switch
    {
        Roles.AgencyTerminal => "/desk",
        Roles.Talent => "/card",
        Roles.HrOfficer or Roles.Auditor => "/hr",
        _ => "/",
    };

    private static async Task<IResult> SignInForDevelopment(
        HttpContext context, DevelopmentTokens tokens,
        [FromForm] string? role, [FromForm] string? agency, [FromForm] string? terminal, [FromForm] string? card, [FromForm] string? returnUrl)
    {
        role = role?.Trim() ?? "";
        agency = agency?.Trim().ToUpperInvariant();
        terminal = terminal?.Trim();
        card = card?.Trim().ToUpperInvariant();
        string? error = role switch
        {
            Roles.AgencyTerminal when string.IsNullOrEmpty(agency) || !CodePattern().IsMatch(agency) => "agency",
            Roles.AgencyTerminal when string.IsNullOrEmpty(terminal) || !TerminalPattern().IsMatch(terminal) => "terminal",
            Roles.Talent when string.IsNullOrEmpty(card) || !CardPattern().IsMatch(card) => "card",
            Roles.HrOfficer or Roles.Auditor or Roles.AgencyTerminal or Roles.Talent => null,
            _ => "role",
        };
        if (error is not null)
        {
            return Results.LocalRedirect($"/signin?error={error}&returnUrl={Uri.EscapeDataString(LocalOrRoot(returnUrl))}");
        }

        var subject = role switch
        {
            Roles.AgencyTerminal => $"{agency}-{terminal}",
            Roles.Talent => "talent-" + card,
            _ => role + "-dev",
        };
        var accessToken = tokens.Mint(
            role, subject,
            agency: role == Roles.AgencyTerminal ? agency : null,
            card: role == Roles.Talent ? card : null,
            terminal: role == Roles.AgencyTerminal ? terminal : null);
        var token = new JsonWebToken(accessToken);
        await context.SignInAsync(
            CookieAuthenticationDefaults.AuthenticationScheme,
            WebUser.Principal(accessToken, token.Claims, "development"),
            new AuthenticationProperties { IsPersistent = false }); // the idle time-out; never beyond the token (WebAuthentication)

        var target = string.IsNullOrEmpty(returnUrl) || returnUrl == "/" ? HomeOf(role) : LocalOrRoot(returnUrl);
        return Results.LocalRedirect(target);
    }

    private static string LocalOrRoot(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    [GeneratedRegex("^[A-Z][A-Z0-9_]{1,31}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
    private static partial Regex TerminalPattern();

    [GeneratedRegex("^LC[0-9]{8}[0-9X]$")]
    private static partial Regex CardPattern();
}
