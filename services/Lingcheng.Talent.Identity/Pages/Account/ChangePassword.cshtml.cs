using Lingcheng.Talent.Identity.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Lingcheng.Talent.Identity.Pages.Account;

/// <summary>A new password: required after a temporary one or when the old one reached its maximum age (等保 8.1.4.1 a).</summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class ChangePasswordModel(UserManager<Accounts.Account> users, SignInManager<Accounts.Account> signIn, AccountAudit audit, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public string? Reason { get; private set; }

    public List<string> Errors { get; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var account = await users.GetUserAsync(User);
        if (account is null)
        {
            return Challenge();
        }

        Reason = account.MustChangePassword
            ? "您正在使用临时密码，请先设置新密码 (you signed in with a temporary password: choose your own)."
            : "您的密码已到期，请设置新密码 (your password has expired: choose a new one).";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var account = await users.GetUserAsync(User);
        if (account is null)
        {
            return Challenge();
        }

        if (NewPassword != ConfirmPassword)
        {
            Errors.Add("两次输入的新密码不一致 (the two new passwords differ).");
            return Page();
        }

        if (NewPassword == CurrentPassword)
        {
            Errors.Add("新密码不能与当前密码相同 (the new password must differ from the current one).");
            return Page();
        }

        var result = await users.ChangePasswordAsync(account, CurrentPassword ?? "", NewPassword ?? "");
        if (!result.Succeeded)
        {
            Errors.AddRange(result.Errors.Select(e => e.Description));
            await audit.RecordAsync(AccountAudit.Self(account.UserName), "ChangePassword", account.UserName, "REFUSED", string.Join(",", result.Errors.Select(e => e.Code)));
            return Page();
        }

        account.MustChangePassword = false;
        account.PasswordChangedAt = time.GetUtcNow();
        await users.UpdateAsync(account);
        await audit.RecordAsync(AccountAudit.Self(account.UserName), "ChangePassword", account.UserName, "OK");
        await signIn.RefreshSignInAsync(account);
        return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
    }
}
