using Lingcheng.Talent.Identity.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace Lingcheng.Talent.Identity.Pages.Account;

/// <summary>
/// Sign-in through the outside platform (<see cref="FederationOptions"/>): off to the platform, and back
/// to the local account HR linked to the platform's subject. An unlinked subject gets nothing but a
/// message naming it, for HR to link (<c>POST /api/accounts/{name}/link</c>).
/// </summary>
public static class Federation
{
    public const string Scheme = "federation";

    public static IEndpointRouteBuilder MapFederation(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/external", (string? returnUrl, SignInManager<Accounts.Account> signIn) =>
        {
            var back = "/account/external-callback?returnUrl=" + Uri.EscapeDataString(LoginModel.SafeReturnUrl(returnUrl));
            return Results.Challenge(signIn.ConfigureExternalAuthenticationProperties(Scheme, back), [Scheme]);
        });
        app.MapGet("/account/external-callback", async (string? returnUrl, HttpContext http, SignInManager<Accounts.Account> signIn, AccountAudit audit) =>
        {
            var back = LoginModel.SafeReturnUrl(returnUrl);
            var info = await signIn.GetExternalLoginInfoAsync();
            if (info is null)
            {
                return Results.Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(back));
            }

            var subject = info.ProviderKey;
            var result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, subject, isPersistent: false, bypassTwoFactor: false);
            var account = await signIn.UserManager.FindByLoginAsync(info.LoginProvider, subject);
            var name = account?.UserName ?? "external:" + subject;
            await http.SignOutAsync(IdentityConstants.ExternalScheme);
            if (account is not null && account.Disabled)
            {
                await signIn.SignOutAsync();
                await audit.RecordAsync(AccountAudit.Self(name), "SignInFederated", name, "DISABLED");
                return Results.Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(back));
            }

            if (result.Succeeded)
            {
                await audit.RecordAsync(AccountAudit.Self(name), "SignInFederated", name, "OK", $"subject {subject}");
                return Results.LocalRedirect(back);
            }

            if (result.RequiresTwoFactor)
            {
                await audit.RecordAsync(AccountAudit.Self(name), "SignInFederated", name, "PASSWORD_OK", "second factor required");
                return Results.Redirect("/account/second-factor?returnUrl=" + Uri.EscapeDataString(back));
            }

            await audit.RecordAsync(AccountAudit.Self(name), "SignInFederated", name, result.IsLockedOut ? "LOCKED_OUT" : "NOT_LINKED", $"subject {subject}");
            return Results.Redirect("/account/not-linked?subject=" + Uri.EscapeDataString(subject));
        });
        return app;
    }
}
