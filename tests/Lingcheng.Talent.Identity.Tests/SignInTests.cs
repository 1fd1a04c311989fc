using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Identity.Tests;

/// <summary>
/// The sign-in rules of docs/security.md, through the provider's own pages as a browser uses them:
/// a temporary password must be changed (and a weak new one is refused), five failures lock an account
/// (the right password is then refused too, until HR unlocks it), a disabled account cannot sign in,
/// and a talent's first sign-in needs the card number, the document's last six characters and HR's
/// one-time code — after which the token carries the card and the registry serves that card.
/// </summary>
public sealed class SignInTests(IdentitySystem idp)
{
    private const string NewPassword = "Lingcheng-2026!ok";

    [Fact]
    public async Task A_new_desk_changes_its_temporary_password_and_a_weak_one_is_refused()
    {
        var (name, temporary) = await CreateDeskAsync();
        using var browser = new IdentityBrowser(idp.Authority);
        var device = await browser.DeviceAuthorizationAsync();
        await browser.SignInAsync(name, temporary, "/connect/verify?user_code=" + Uri.EscapeDataString(device.UserCode));
        Assert.StartsWith("/account/change-password", browser.LastPage.Path);

        await browser.PostFormAsync(browser.LastPage, new() { ["CurrentPassword"] = temporary, ["NewPassword"] = "password12", ["ConfirmPassword"] = "password12", ["ReturnUrl"] = "/" });
        Assert.Contains("至少三类", IdentityBrowser.Text(browser.LastPage.Html));

        var token = await new IdentityBrowser(idp.Authority).TokenAsync(name, temporary, NewPassword);
        var jwt = new JsonWebToken(token);
        Assert.Equal("agency_terminal", jwt.GetClaim("role").Value);
        Assert.Equal("HOSP_TCM", jwt.GetClaim("agency").Value);
        Assert.Equal(name, jwt.Subject);
        Assert.InRange(jwt.ValidTo - jwt.IssuedAt, TimeSpan.FromHours(8) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(8)); // a desk's shift
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_until_HR_unlocks_it()
    {
        var (name, temporary) = await CreateDeskAsync();
        using var browser = new IdentityBrowser(idp.Authority);
        for (var i = 1; i <= 5; i++)
        {
            await browser.SignInAsync(name, "Wrong-password-" + i, "/");
            var text = IdentityBrowser.Text(browser.LastPage.Html);
            Assert.Contains(i < 5 ? "用户名或密码不正确" : "账户已锁定", text);
        }

        await browser.SignInAsync(name, temporary, "/");
        Assert.Contains("账户已锁定", IdentityBrowser.Text(browser.LastPage.Html));
        Assert.StartsWith("/account/login", browser.LastPage.Path);

        using var api = idp.Api(await idp.HrTokenAsync());
        var shown = await api.GetFromJsonAsync<JsonElement>($"api/accounts/{name}");
        Assert.NotEqual(JsonValueKind.Null, shown.GetProperty("lockedOutUntil").ValueKind);
        (await api.PostAsync($"api/accounts/{name}/unlock", null)).EnsureSuccessStatusCode();

        var token = await new IdentityBrowser(idp.Authority).TokenAsync(name, temporary, NewPassword);
        Assert.Equal(name, new JsonWebToken(token).Subject);

        var audit = await AuditAsync(api);
        var mine = audit.Where(r => r.GetProperty("target").GetString() == name).Select(r => r.GetProperty("outcome").GetString()).ToList();
        Assert.Equal(4, mine.Count(o => o == "WRONG_PASSWORD"));
        Assert.Contains("LOCKED_OUT", mine);
        Assert.Contains(audit, r => r.GetProperty("action").GetString() == "UnlockAccount" && r.GetProperty("target").GetString() == name
            && r.GetProperty("principal").GetString() == "hr_officer:hr-demo");
    }

    [Fact]
    public async Task An_authenticator_code_signs_in_once_and_neither_it_again_nor_an_older_one_is_accepted()
    {
        using var api = idp.Api(await idp.HrTokenAsync());
        var name = "aud-t" + Guid.NewGuid().ToString("N")[..8];
        var created = await (await api.PostAsJsonAsync("api/accounts", new { userName = name, role = "auditor" })).Content.ReadFromJsonAsync<JsonElement>();
        using var setup = new IdentityBrowser(idp.Authority);
        await setup.TokenAsync(name, created.GetProperty("temporaryPassword").GetString()!, NewPassword); // sets the authenticator up
        var key = setup.AuthenticatorKey!;

        var code = await Totp.NextCodeAsync(key);
        using var first = await PasswordThenCodeAsync(code);
        Assert.DoesNotContain("验证码不正确", IdentityBrowser.Text(first.LastPage.Html));
        Assert.False(first.LastPage.Path.StartsWith("/account/second-factor", StringComparison.Ordinal), first.LastPage.Path);

        // Seen over a shoulder: the same code, within its 30 s and the provider's window, is refused, and so is an
        // older step's; the owner's next code still works.
        using var again = await PasswordThenCodeAsync(code);
        Assert.StartsWith("/account/second-factor", again.LastPage.Path);
        Assert.Contains("验证码不正确", IdentityBrowser.Text(again.LastPage.Html));
        var older = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(-30));
        await again.PostFormAsync(again.LastPage, new() { ["Code"] = older, ["ReturnUrl"] = "/" });
        Assert.Contains("验证码不正确", IdentityBrowser.Text(again.LastPage.Html));
        await again.PostFormAsync(again.LastPage, new() { ["Code"] = await Totp.NextCodeAsync(key), ["ReturnUrl"] = "/" });
        Assert.False(again.LastPage.Path.StartsWith("/account/second-factor", StringComparison.Ordinal), again.LastPage.Path);

        var mine = (await AuditAsync(api)).Where(r => r.GetProperty("target").GetString() == name).Select(r => r.GetProperty("outcome").GetString()).ToList();
        Assert.Equal(2, mine.Count(o => o == "WRONG_CODE"));

        async Task<IdentityBrowser> PasswordThenCodeAsync(string code)
        {
            var browser = new IdentityBrowser(idp.Authority);
            var login = await browser.GetAsync("account/login?returnUrl=%2F");
            await browser.PostFormAsync(login, new() { ["UserName"] = name, ["Password"] = NewPassword, ["ReturnUrl"] = "/" });
            Assert.StartsWith("/account/second-factor", browser.LastPage.Path);
            await browser.PostFormAsync(browser.LastPage, new() { ["Code"] = code, ["ReturnUrl"] = "/" });
            return browser;
        }
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in_and_enabling_it_restores_sign_in()
    {
        var (name, temporary) = await CreateDeskAsync();
        using var api = idp.Api(await idp.HrTokenAsync());
        (await api.PostAsync($"api/accounts/{name}/disable", null)).EnsureSuccessStatusCode();

        using var browser = new IdentityBrowser(idp.Authority);
        await browser.SignInAsync(name, temporary, "/");
        Assert.Contains("已停用", IdentityBrowser.Text(browser.LastPage.Html));

        (await api.PostAsync($"api/accounts/{name}/enable", null)).EnsureSuccessStatusCode();
        Assert.NotEmpty(await new IdentityBrowser(idp.Authority).TokenAsync(name, temporary, NewPassword));
    }

    [Fact]
    public async Task A_talent_signs_in_first_with_the_one_time_code_then_with_a_password_and_reads_only_their_card()
    {
        var hr = TalentSystem.Bearer(await idp.HrTokenAsync());
        var registry = new TalentRegistryService.TalentRegistryServiceClient(idp.System.Registry!.Channel);
        var talent = (await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() }, hr)).Talent;
        var card = (await registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, hr)).Card;

        using var api = idp.Api(await idp.HrTokenAsync());
        var issued = await (await api.PostAsJsonAsync("api/accounts/talents", new { cardNumber = card.CardNumber })).Content.ReadFromJsonAsync<JsonElement>();
        var code = issued.GetProperty("activationCode").GetString()!;
        var tail = talent.DocumentNumber[^6..];

        using var browser = new IdentityBrowser(idp.Authority);
        var device = await browser.DeviceAuthorizationAsync();
        var back = "/connect/verify?user_code=" + Uri.EscapeDataString(device.UserCode);
        var activate = await browser.GetAsync("account/activate?returnUrl=" + Uri.EscapeDataString(back));
        await browser.PostFormAsync(activate, Activation(card.CardNumber, "000000", code, back));
        Assert.Contains("不正确", IdentityBrowser.Text(browser.LastPage.Html));

        await browser.PostFormAsync(browser.LastPage, Activation(card.CardNumber, tail, code, back));
        Assert.StartsWith("/connect/verify", browser.LastPage.Path);
        await browser.PostFormAsync(browser.LastPage, new() { ["user_code"] = device.UserCode });
        var token = await browser.RedeemDeviceCodeAsync(device.DeviceCode);
        Assert.Equal(card.CardNumber, new JsonWebToken(token).GetClaim("card").Value);

        // The code works once; the password chosen signs in from now on.
        await new IdentityBrowser(idp.Authority).PostFormAsync(activate, Activation(card.CardNumber, tail, code, back));
        var again = await new IdentityBrowser(idp.Authority).TokenAsync(card.CardNumber, NewPassword);
        var own = await registry.GetCardAsync(new GetCardRequest { CardNumber = card.CardNumber }, TalentSystem.Bearer(again));
        Assert.Equal(card.CardNumber, own.Card.CardNumber);

        var other = (await registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(),
            TalentId = (await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() }, hr)).Talent.TalentId }, hr)).Card;
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await registry.GetCardAsync(new GetCardRequest { CardNumber = other.CardNumber }, TalentSystem.Bearer(again)));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    private static Dictionary<string, string> Activation(string card, string tail, string code, string back) => new()
    {
        ["CardNumber"] = card,
        ["DocumentTail"] = tail,
        ["Code"] = code,
        ["NewPassword"] = NewPassword,
        ["ConfirmPassword"] = NewPassword,
        ["ReturnUrl"] = back,
    };

    /// <summary>A fresh desk account of the TCM hospital, made by the demo HR officer through the account API.</summary>
    private async Task<(string Name, string TemporaryPassword)> CreateDeskAsync()
    {
        using var api = idp.Api(await idp.HrTokenAsync());
        var name = "desk-t" + Guid.NewGuid().ToString("N")[..8];
        var response = await api.PostAsJsonAsync("api/accounts", new { userName = name, role = "agency_terminal", agency = "HOSP_TCM", terminal = name });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (name, created.GetProperty("temporaryPassword").GetString()!);
    }

    private static async Task<List<JsonElement>> AuditAsync(HttpClient api) =>
        (await api.GetFromJsonAsync<JsonElement>("api/audit?limit=1000")).GetProperty("records").EnumerateArray().ToList();
}
