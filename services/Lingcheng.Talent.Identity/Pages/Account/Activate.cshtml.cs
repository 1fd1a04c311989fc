using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Identity.Accounts;
using Lingcheng.Talent.Identity.Admin;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Identity.Pages.Account;

/// <summary>
/// A talent's first sign-in: card number, the document's last six characters and HR's one-time code
/// prove who they are; they then choose a password and are signed in. Wrong answers count towards
/// the lockout like wrong passwords, and the code works once.
/// </summary>
public sealed class ActivateModel(
    UserManager<Accounts.Account> users, SignInManager<Accounts.Account> signIn, IPasswordHasher<Accounts.Account> hasher,
    AccountAudit audit, IOptions<IdentityProviderOptions> options, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? CardNumber { get; set; }

    [BindProperty]
    public string? DocumentTail { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    public List<string> Errors { get; } = [];

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var card = CardNumber?.Trim().ToUpperInvariant() ?? "";
        var account = card.Length > 0 ? await users.FindByNameAsync(card) : null;
        if (account is null || account.Role != Roles.Talent || account.Disabled)
        {
            await audit.RecordAsync(AccountAudit.Self(card), "Activate", card, "UNKNOWN_ACCOUNT");
            Errors.Add(WrongAnswers);
            return Page();
        }

        if (await users.IsLockedOutAsync(account))
        {
            await audit.RecordAsync(AccountAudit.Self(card), "Activate", card, "LOCKED_OUT");
            Errors.Add(LoginModel.LockedOut(options.Value));
            return Page();
        }

        var codeValid = account.ActivationCodeHash is { } codeHash && account.ActivationExpiresAt > time.GetUtcNow()
            && hasher.VerifyHashedPassword(account, codeHash, AccountAdministration.NormalizeCode(Code)) != PasswordVerificationResult.Failed;
        var tailValid = account.DocumentTailHash is { } tailHash
            && hasher.VerifyHashedPassword(account, tailHash, (DocumentTail ?? "").Trim().ToUpperInvariant()) != PasswordVerificationResult.Failed;
        if (!codeValid || !tailValid)
        {
            await users.AccessFailedAsync(account);
            var locked = await users.IsLockedOutAsync(account);
            await audit.RecordAsync(AccountAudit.Self(card), "Activate", card, locked ? "LOCKED_OUT" : "WRONG_ANSWERS");
            Errors.Add(locked ? LoginModel.LockedOut(options.Value) : WrongAnswers);
            return Page();
        }

        if (NewPassword != ConfirmPassword)
        {
            Errors.Add("两次输入的密码不一致 (the two passwords differ).");
            return Page();
        }

        var reset = await users.ResetPasswordAsync(account, await users.GeneratePasswordResetTokenAsync(account), NewPassword ?? "");
        if (!reset.Succeeded)
        {
            Errors.AddRange(reset.Errors.Select(e => e.Description));
            return Page();
        }

        account.ActivationCodeHash = null;
        account.ActivationExpiresAt = null;
        account.MustChangePassword = false;
        account.PasswordChangedAt = account.LastSignInAt = time.GetUtcNow();
        await users.UpdateAsync(account);
        await users.ResetAccessFailedCountAsync(account);
        await audit.RecordAsync(AccountAudit.Self(card), "Activate", card, "OK");
        await signIn.SignInAsync(account, isPersistent: false);
        return LocalRedirect(LoginModel.SafeReturnUrl(ReturnUrl));
    }

    private const string WrongAnswers = "卡号、证件后六位或激活码不正确 (the card number, document characters or code are wrong).";
}
