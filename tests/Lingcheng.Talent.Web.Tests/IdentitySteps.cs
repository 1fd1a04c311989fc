using Lingcheng.Talent.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>What a person does at the identity provider's sign-in pages, as steps the tests read like sentences.</summary>
public static class IdentitySteps
{
    /// <summary>A password for a test account that meets the provider's rules.</summary>
    public static string NewPassword() => "Lc-" + Guid.NewGuid().ToString("N")[..10] + "x9";

    /// <summary>Opens the app's sign-in page and follows its link to the provider's login page.</summary>
    public static async Task GoToProviderLoginAsync(IPage page)
    {
        await page.GotoAsync("/signin");
        await page.GetByRole(AriaRole.Link, new() { Name = "前往登录" }).ClickAsync();
        await page.WaitForURLAsync("**/account/login**");
    }

    /// <summary>Types a user name and password on the provider's login page and submits.</summary>
    public static async Task EnterPasswordAsync(IPage page, string userName, string password)
    {
        await page.GetByLabel("用户名或卡号").FillAsync(userName);
        await page.Locator("#Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录 Sign in" }).ClickAsync();
    }

    /// <summary>
    /// A first sign-in from the provider's login page: the temporary password, a new one of their own, and
    /// for officers and auditors the authenticator set-up (the key read off the page, the code computed as a
    /// phone would). Ends back in the web app; returns the authenticator key (null for a desk).
    /// </summary>
    public static async Task<string?> FirstSignInAsync(IPage page, string userName, string temporaryPassword, string newPassword)
    {
        await EnterPasswordAsync(page, userName, temporaryPassword);
        await page.WaitForURLAsync("**/account/change-password**");
        await page.Locator("#CurrentPassword").FillAsync(temporaryPassword);
        await page.Locator("#NewPassword").FillAsync(newPassword);
        await page.Locator("#ConfirmPassword").FillAsync(newPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "修改 Change" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        if (!page.Url.Contains("/account/second-factor-setup", StringComparison.Ordinal))
        {
            return null;
        }

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "设置动态验证码" })).ToBeVisibleAsync();
        var key = (await page.Locator("#authenticator-key").TextContentAsync())!.Trim();
        await page.GetByLabel("验证码").FillAsync(await Totp.NextCodeAsync(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "启用 Turn on" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "恢复码" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "继续 Continue" }).ClickAsync();
        return key;
    }

    /// <summary>The app's path once the page is back in it (after the provider's redirects).</summary>
    public static async Task WaitForAppPathAsync(IPage page, string baseUrl, string path)
    {
        await page.WaitForURLAsync(url => url.StartsWith(baseUrl + path, StringComparison.Ordinal) && !url.Contains("signin-oidc", StringComparison.Ordinal));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>Saves a screenshot with the given parts painted over (a password or code must never be in a picture).</summary>
    public static async Task ScreenshotMaskedAsync(IPage page, string name, params ILocator[] masked)
    {
        Directory.CreateDirectory(WebSystem.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.ScreenshotDirectory, name + ".png"), FullPage = true, Mask = masked });
    }
}
