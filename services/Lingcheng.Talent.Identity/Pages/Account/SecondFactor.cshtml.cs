using Lingcheng.Talent.Identity.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Identity.Pages.Account;

/// <summary>The second factor after a correct password: a TOTP code, or a recovery code (used once). Failures count towards the lockout.</summary>
public sealed class SecondFactorModel(SignInManager<Accounts.Account> signIn, AccountAudit audit, IOptions<IdentityProviderOptions> options, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? Redirect(LoginAgain()) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var account = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (account is null)
        {
            return Redirect(LoginAgain());
        }

        var code = (Code ?? "").Replace(" ", "").Replace("-", "", StringComparison.Ordinal).Trim();
        var recovery = code.Length != 6 || !code.All(char.IsAsciiDigit);
        var result = code.Length == 0 ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : recovery ? await signIn.TwoFactorRecoveryCodeSignInAsync(Code!.Trim())
            : await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        var name = account.UserName;
        if (result.Succeeded)
        {
            account.LastSignInAt = time.GetUtcNow();
            await signIn.UserManager.UpdateAsync(account);
            await audit.RecordAsync(AccountAudit.Self(name), "SignIn", name, "OK", recovery ? "recovery code used" : "authenticator code");
            return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AccountAudit.Self(name), "SecondFactor", name, "LOCKED_OUT");
            Error = LoginModel.LockedOut(options.Value);
            return Page();
        }

        if (recovery && code.Length > 0)
        {
            // A wrong recovery code does not count as a failed attempt in Identity itself; it must here.
            await signIn.UserManager.AccessFailedAsync(account);
        }

        await audit.RecordAsync(AccountAudit.Self(name), "SecondFactor", name, "WRONG_CODE");
        Error = await signIn.UserManager.IsLockedOutAsync(account) ? LoginModel.LockedOut(options.Value) : "验证码不正确 (wrong code).";
        return Page();
    }

    private string LoginAgain() => "/account/login?returnUrl=" + Uri.EscapeDataString(LoginModel.SafeReturnUrl(ReturnUrl));
}
