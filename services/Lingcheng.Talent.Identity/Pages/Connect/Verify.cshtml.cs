using Lingcheng.Talent.Identity.Accounts;
using Lingcheng.Talent.Identity.Connect;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Lingcheng.Talent.Identity.Pages.Connect;

/// <summary>
/// The device flow's verification page (RFC 8628): a signed-in person confirms the code a device shows,
/// and that device's token becomes theirs (a desk account for a scanner, an officer for <c>lct login</c>).
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class VerifyModel(AccountGate gate, IOpenIddictApplicationManager applications, AccountAudit audit, IOptions<IdentityProviderOptions> options) : PageModel
{
    private const string Server = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public bool Confirm { get; private set; }

    public string? UserCode { get; private set; }

    public string? ClientName { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await RequiredStepAsync() is { } step)
        {
            return step;
        }

        var request = HttpContext.GetOpenIddictServerRequest();
        if (string.IsNullOrEmpty(request?.UserCode))
        {
            return Page();
        }

        var result = await HttpContext.AuthenticateAsync(Server);
        if (result.Succeeded && result.Principal.GetClaim(Claims.ClientId) is { } clientId)
        {
            var application = await applications.FindByClientIdAsync(clientId);
            Confirm = true;
            ClientName = application is null ? clientId : await applications.GetDisplayNameAsync(application) ?? clientId;
            UserCode = result.Properties?.GetTokenValue(OpenIddictServerAspNetCoreConstants.Tokens.UserCode) ?? request.UserCode;
            return Page();
        }

        Error = "代码无效或已过期，请核对设备上的代码 (the code is not valid or has expired: check the code on the device).";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await RequiredStepAsync() is { } step)
        {
            return step;
        }

        var account = (await gate.UsableAccountAsync(User))!;
        var result = await HttpContext.AuthenticateAsync(Server);
        if (!result.Succeeded || result.Principal.GetClaim(Claims.ClientId) is not { } clientId)
        {
            Error = "代码无效或已过期 (the code is not valid or has expired).";
            return Page();
        }

        await audit.RecordAsync(AccountAudit.Self(account.UserName), "AuthorizeDevice", account.UserName, "OK", $"client {clientId}");
        return SignIn(AccountClaims.For(account, result.Principal.GetScopes(), options.Value),
            new AuthenticationProperties { RedirectUri = "/account/device-signed-in" }, Server);
    }

    /// <summary>The same gate as the authorization endpoint: a usable account that has changed its temporary password and set up its second factor.</summary>
    private async Task<IActionResult?> RequiredStepAsync()
    {
        var account = await gate.UsableAccountAsync(User);
        if (account is null)
        {
            return Challenge("Identity.Application");
        }

        var here = Request.Path + Request.QueryString;
        return gate.NextStep(account, here) is { } step ? Redirect(step) : null;
    }
}
