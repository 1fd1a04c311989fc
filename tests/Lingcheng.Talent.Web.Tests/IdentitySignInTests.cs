using Microsoft.Playwright;
using static Lingcheng.Talent.Web.Tests.DeskSteps;
using static Lingcheng.Talent.Web.Tests.IdentitySteps;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>
/// Signing in to the web app through the built-in identity provider, in Chromium: officers with a
/// password and an authenticator code, desks, a talent's first sign-in with HR's one-time code, the
/// lockout, the idle time-out, and the accounts page of the HR console.
/// </summary>
[Collection(IdentityWebCollection.Name)]
public sealed class IdentitySignInTests(WebSystem browser, IdentityWebSystem system) : BrowserTests
{
    private Task<IPage> NewPageAsync() => browser.NewPageAsync(baseUrl: system.Web.BaseUrl);

    /// <summary>A new HR officer (made through the account API) signs in for the first time: new password, authenticator set up; ends on /hr.</summary>
    private async Task<string> SignInAsNewOfficerAsync(IPage page)
    {
        var userName = "hr-" + Guid.NewGuid().ToString("N")[..8];
        var temporary = await system.CreateAccountAsync(userName, "hr_officer");
        await GoToProviderLoginAsync(page);
        Assert.NotNull(await FirstSignInAsync(page, userName, temporary, NewPassword()));
        await WaitForAppPathAsync(page, system.Web.BaseUrl, "/hr");
        return userName;
    }

    [Fact]
    public async Task An_officer_signs_in_with_a_password_and_an_authenticator_code_reaches_hr_and_signing_out_ends_the_providers_session_too()
    {
        var page = await NewPageAsync();

        var userName = await SignInAsNewOfficerAsync(page);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "人才名册" })).ToBeVisibleAsync();
        await Expect(page.Locator(".who")).ToHaveTextAsync("人社局工作人员");
        var account = (await system.AccountAsync(userName))!.Value;
        Assert.True(account.GetProperty("secondFactor").GetBoolean());
        Assert.False(account.GetProperty("mustChangePassword").GetBoolean());

        // The provider's audit chain (this sign-in is in it) is checked beside the services' on the keys page.
        await page.GotoAsync("/hr/keys");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "统一登录(账户)" })).ToContainTextAsync("完整");

        // Signing out passes through the provider's end-session endpoint and back to the app's start page…
        await page.GetByRole(AriaRole.Button, new() { Name = "退出" }).ClickAsync();
        await page.WaitForURLAsync(system.Web.BaseUrl + "/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "登录" }).First).ToBeVisibleAsync();

        // …so the next visit asks for the password again instead of being signed in silently.
        await page.GotoAsync("/hr");
        await page.WaitForURLAsync("**/account/login**");
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_an_account_and_the_sixth_try_is_refused_even_with_the_right_one()
    {
        var userName = "desk-lock-" + Guid.NewGuid().ToString("N")[..6];
        var password = await system.CreateAccountAsync(userName, "agency_terminal", "HOUSING", "lock-" + userName[^6..]);
        var page = await NewPageAsync();
        await page.GotoAsync("/desk");
        await page.WaitForURLAsync("**/account/login**");

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await EnterPasswordAsync(page, userName, "Wrong-password-" + attempt);
            await Expect(page.Locator(".error")).ToContainTextAsync("用户名或密码不正确");
        }

        await EnterPasswordAsync(page, userName, "Wrong-password-5");
        await Expect(page.Locator(".error")).ToContainTextAsync("账户已锁定");

        await EnterPasswordAsync(page, userName, password);
        await Expect(page.Locator(".error")).ToContainTextAsync("账户已锁定");
        Assert.Contains("/account/login", page.Url);
        var account = (await system.AccountAsync(userName))!.Value;
        Assert.Equal(System.Text.Json.JsonValueKind.String, account.GetProperty("lockedOutUntil").ValueKind);
    }

    [Fact]
    public async Task A_desk_account_reaches_the_desk_and_not_the_hr_console()
    {
        var page = await NewPageAsync();
        await GoToProviderLoginAsync(page);

        await EnterPasswordAsync(page, "desk-hosp-people", system.DemoPasswords["desk-hosp-people"]);

        await WaitForAppPathAsync(page, system.Web.BaseUrl, "/desk");
        await WaitUntilLiveAsync(page);
        await Expect(Verdict(page)).ToContainTextAsync("请扫描下一张绿卡");
        await Expect(page.Locator(".who")).ToHaveTextAsync("单位窗口终端 HOSP_PEOPLE/desk-1");
        await page.GotoAsync("/hr");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "无权访问" })).ToBeVisibleAsync();
        await page.GotoAsync("/hr/accounts");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "无权访问" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_talent_signs_in_first_with_the_one_time_code_from_the_hr_console_and_later_with_their_own_password()
    {
        var (talentId, card, fullName, document) = await system.RegisterTalentWithCardAsync();
        var hr = await NewPageAsync();
        await SignInAsNewOfficerAsync(hr);

        await hr.GotoAsync($"/hr/talents/{talentId}");
        await hr.GetByRole(AriaRole.Button, new() { Name = $"发放登录激活码(卡号 {card})" }).ClickAsync();
        var code = hr.Locator("#activation-code");
        await Expect(code).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z2-9]{5}-[A-Z2-9]{5}$"));
        await Expect(hr.Locator("#activation-expires")).ToContainTextAsync("有效期至");
        await Expect(hr.GetByRole(AriaRole.Status)).ToContainTextAsync($"只显示这一次:请当面交给 {fullName}");
        await ScreenshotMaskedAsync(hr, "hr-talent-code", code);
        var oneTimeCode = (await code.TextContentAsync())!.Trim();

        // The holder, on their phone: the card page sends them to the provider, where the first sign-in is activation.
        var phone = await NewPageAsync();
        await phone.GotoAsync("/card");
        await phone.WaitForURLAsync("**/account/login**");
        await phone.GetByRole(AriaRole.Link, new() { Name = "使用激活码" }).ClickAsync();
        var password = NewPassword();
        await phone.GetByLabel("卡号").FillAsync(card);
        await phone.GetByLabel("证件号码后六位").FillAsync(document[^6..]);
        await phone.GetByLabel("激活码").FillAsync(oneTimeCode);
        await phone.Locator("#NewPassword").FillAsync(password);
        await phone.Locator("#ConfirmPassword").FillAsync(password);
        await phone.GetByRole(AriaRole.Button, new() { Name = "激活并登录 Activate and sign in" }).ClickAsync();
        await WaitForAppPathAsync(phone, system.Web.BaseUrl, "/card");
        await Expect(phone.GetByText(card).First).ToBeVisibleAsync();
        var account = (await system.AccountAsync(card))!.Value;
        Assert.False(account.GetProperty("activationPending").GetBoolean());

        // Later, on another device: the card number and the password chosen.
        var later = await NewPageAsync();
        await GoToProviderLoginAsync(later);
        await EnterPasswordAsync(later, card, password);
        await WaitForAppPathAsync(later, system.Web.BaseUrl, "/card");
        await Expect(later.GetByText(card).First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_session_stays_while_used_and_after_the_idle_time_out_must_sign_in_again()
    {
        var page = await NewPageAsync();
        await GoToProviderLoginAsync(page);
        await EnterPasswordAsync(page, "desk-housing", system.DemoPasswords["desk-housing"]);
        await WaitForAppPathAsync(page, system.Web.BaseUrl, "/desk");
        var signedIn = DateTime.UtcNow;

        // Used within the time-out, the session outlives it (the provider's own session, idle meanwhile, has ended).
        var idle = TimeSpan.FromSeconds(IdentityWebSystem.IdleTimeoutSeconds);
        await Task.Delay(idle * 0.6, TestContext.Current.CancellationToken);
        await page.GotoAsync("/desk");
        await WaitUntilLiveAsync(page);
        await Task.Delay(signedIn + idle * 1.2 - DateTime.UtcNow, TestContext.Current.CancellationToken);
        await page.GotoAsync("/desk");
        await WaitUntilLiveAsync(page);
        Assert.StartsWith(system.Web.BaseUrl + "/desk", page.Url);

        // Then left alone past the time-out: the next page asks for the password again.
        await Task.Delay(idle + TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        await page.GotoAsync("/desk");
        await page.WaitForURLAsync("**/account/login**");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "登录" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_officer_creates_a_desk_account_a_bad_agency_is_named_beside_its_field_and_the_desk_signs_in_with_the_temporary_password()
    {
        var page = await NewPageAsync();
        await SignInAsNewOfficerAsync(page);
        var deskName = "desk-new-" + Guid.NewGuid().ToString("N")[..6];

        await page.GetByRole(AriaRole.Link, new() { Name = "账户", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "账户管理" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "新建账户" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "新建账户" })).ToBeVisibleAsync();
        await page.GetByLabel("用户名", new() { Exact = true }).FillAsync(deskName);
        await page.GetByLabel("角色").SelectOptionAsync(new SelectOptionValue { Label = "单位窗口终端" });
        await page.GetByLabel("显示名称").FillAsync("住建局 测试窗口");
        await page.GetByLabel("单位代码(窗口终端)").FillAsync("NO_SUCH_AGENCY");
        await page.GetByLabel("终端编号(窗口终端)").FillAsync("t-" + deskName[^6..]);
        await page.GetByRole(AriaRole.Button, new() { Name = "创建账户" }).ClickAsync();

        await Expect(page.Locator("#agency-error")).ToContainTextAsync("未知的部门代码");
        await Expect(page.GetByLabel("单位代码(窗口终端)")).ToHaveAttributeAsync("aria-describedby", "agency-error");
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "尚未保存任何内容" })).ToBeVisibleAsync();
        Assert.Null(await system.AccountAsync(deskName));
        await ScreenshotAsync(page, "hr-account-error");

        await page.GetByLabel("单位代码(窗口终端)").FillAsync("HOUSING");
        await page.GetByRole(AriaRole.Button, new() { Name = "创建账户" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"已创建账户 {deskName}。" })).ToBeVisibleAsync();
        var temporary = (await page.Locator("#temporary-password").TextContentAsync())!.Trim();
        Assert.True(temporary.Length >= 10);

        await page.GetByRole(AriaRole.Link, new() { Name = "返回账户列表" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "账户管理" })).ToBeVisibleAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = deskName });
        await Expect(row).ToContainTextAsync("HOUSING/t-");
        await Expect(row).ToContainTextAsync("须修改密码");
        await Expect(row).ToContainTextAsync("从未登录");

        // The desk's first sign-in: the temporary password, then one of its own; it lands on the desk.
        var desk = await NewPageAsync();
        await GoToProviderLoginAsync(desk);
        Assert.Null(await FirstSignInAsync(desk, deskName, temporary, NewPassword()));
        await WaitForAppPathAsync(desk, system.Web.BaseUrl, "/desk");
        await WaitUntilLiveAsync(desk);

        // Back in the console: the state shows it, and a password reset (after a confirmation naming the account) shows a new one once.
        await page.GotoAsync("/hr/accounts");
        await Expect(row).ToContainTextAsync("正常");
        await ScreenshotAsync(page, "hr-accounts");
        await page.GotoAsync("/hr/accounts?role=agency_terminal&query=" + deskName);
        await Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(2); // the header and the desk
        await row.GetByRole(AriaRole.Link, new() { Name = "重置密码" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"确认重置账户 {deskName} 的密码?旧密码立即失效。" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "确认重置密码" }).ClickAsync();
        await Expect(page.Locator("#temporary-password")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\S{14}$"));
        await Expect(row).ToContainTextAsync("须修改密码");
    }
}
