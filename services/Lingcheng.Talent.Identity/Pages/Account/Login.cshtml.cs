using Lingcheng.Talent.Identity.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Identity.Pages.Account;

/// <summary>
/// User name (or card number) and password. Five failures lock the account (等保 8.1.4.1 b); an officer
/// or auditor goes on to the second factor. Every outcome is audited.
/// </summary>
public sealed class LoginModel(SignInManager<Accounts.Account> signIn, AccountAudit audit, IOptions<IdentityProviderOptions> options, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    /// <summary>The outside platform's name when federation is on.</summary>
    public string? FederationName => string.IsNullOrWhiteSpace(options.Value.Federation.Authority) ? null : options.Value.Federation.DisplayName;

    public async Task<IActionResult> OnPostAsync()
    {
        var name = UserName?.Trim() ?? "";
        if (name.Length == 0 || string.IsNullOrEmpty(Password))
        {
            Error = "请输入用户名和密码 (enter your user name and password).";
            return Page();
        }

        var account = await signIn.UserManager.FindByNameAsync(name);
        if (account is null)
        {
            await audit.RecordAsync(AccountAudit.Self(name), "SignIn", name, "UNKNOWN_ACCOUNT");
            Error = WrongPassword;
            return Page();
        }

        if (account.Disabled)
        {
            await audit.RecordAsync(AccountAudit.Self(name), "SignIn", name, "DISABLED");
            Error = "此账户已停用，请联系人事部门 (this account is disabled; contact HR).";
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(account, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            account.LastSignInAt = time.GetUtcNow();
            await signIn.UserManager.UpdateAsync(account);
            await audit.RecordAsync(AccountAudit.Self(name), "SignIn", name, "OK");
            return LocalRedirect(SafeReturnUrl(ReturnUrl));
        }

        if (result.RequiresTwoFactor)
        {
            await audit.RecordAsync(AccountAudit.Self(name), "SignIn", name, "PASSWORD_OK", "second factor required");
            return Redirect("/account/second-factor?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl(ReturnUrl)));
        }

        if (result.IsLockedOut)
        {
            await audit.RecordAsync(AccountAudit.Self(name), "SignIn", name, "LOCKED_OUT");
            Error = LockedOut(options.Value);
            return Page();
        }

        await audit.RecordAsync(AccountAudit.Self(name), "SignIn", name, "WRONG_PASSWORD");
        Error = WrongPassword;
        return Page();
    }

    public const string WrongPassword = "用户名或密码不正确 (wrong user name or password).";

    public static string LockedOut(IdentityProviderOptions options) =>
        $"登录失败次数过多，账户已锁定 {options.LockoutDuration.TotalMinutes:0} 分钟；可请人事部门解锁 " +
        $"(too many failed attempts: the account is locked for {options.LockoutDuration.TotalMinutes:0} minutes, or until HR unlocks it).";

    /// <summary>Only addresses on this provider (the authorization endpoint with its query): never another site.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/";
}
