using Lingcheng.Talent.Identity.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;

namespace Lingcheng.Talent.Identity.Pages.Account;

/// <summary>
/// An officer's or auditor's first sign-in (or the first after HR reset the second factor): an
/// authenticator key as text and as a QR code, a code to prove it works, then ten recovery codes shown once.
/// </summary>
[Authorize(AuthenticationSchemes = "Identity.Application")]
public sealed class SecondFactorSetupModel(UserManager<Accounts.Account> users, SignInManager<Accounts.Account> signIn, AccountAudit audit) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    public string? Key { get; private set; }

    public string? QrSvg { get; private set; }

    public string? Error { get; private set; }

    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var account = await users.GetUserAsync(User);
        if (account is null)
        {
            return Challenge();
        }

        await ShowKeyAsync(account);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var account = await users.GetUserAsync(User);
        if (account is null)
        {
            return Challenge();
        }

        var code = (Code ?? "").Replace(" ", "").Trim();
        if (!await users.VerifyTwoFactorTokenAsync(account, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            await audit.RecordAsync(AccountAudit.Self(account.UserName), "SetUpSecondFactor", account.UserName, "WRONG_CODE");
            Error = "验证码不正确，请核对手机时间后重试 (wrong code: check the phone's clock and try again).";
            await ShowKeyAsync(account);
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(account, true);
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(account, 10))!.ToList();
        await audit.RecordAsync(AccountAudit.Self(account.UserName), "SetUpSecondFactor", account.UserName, "OK");
        await signIn.RefreshSignInAsync(account);
        ReturnUrl = LoginModel.SafeReturnUrl(ReturnUrl);
        return Page();
    }

    private async Task ShowKeyAsync(Accounts.Account account)
    {
        var key = await users.GetAuthenticatorKeyAsync(account);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(account);
            key = await users.GetAuthenticatorKeyAsync(account);
        }

        Key = key;
        var uri = $"otpauth://totp/{Uri.EscapeDataString("陵城人才绿卡:" + account.UserName)}?secret={key}&issuer={Uri.EscapeDataString("陵城人才绿卡")}&digits=6";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M, forceUtf8: true);
        QrSvg = new SvgQRCode(data).GetGraphic(4);
    }
}
