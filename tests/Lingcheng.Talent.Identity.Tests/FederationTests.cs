using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lingcheng.Talent.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Identity.Tests;

/// <summary>
/// Sign-in through an outside platform (a second provider stands in for the province's): someone signed
/// in there but not linked here gets no token, only their platform subject to give HR; once HR links it
/// to a local desk account, signing in at the platform yields that desk's token here.
/// </summary>
public sealed partial class FederationTests(IdentitySystem idp)
{
    [Fact]
    public async Task A_platform_user_gets_a_token_only_after_HR_links_them_to_a_local_account()
    {
        var provincePassword = File.ReadAllLines(Path.Combine(idp.ProvinceData, "keys", "demo-accounts.txt"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(p => p.Length == 3 && p[0] == "desk-tax")[2];

        using var browser = new IdentityBrowser(idp.Authority);
        var device = await browser.DeviceAuthorizationAsync();
        var back = "/connect/verify?user_code=" + Uri.EscapeDataString(device.UserCode);
        var login = await browser.GetAsync("account/login?returnUrl=" + Uri.EscapeDataString(back));
        Assert.Contains("省统一身份认证平台", IdentityBrowser.Text(login.Html));

        // To the platform's sign-in page, sign in there, and back: not linked yet.
        var atProvince = await browser.GetAsync("account/external?returnUrl=" + Uri.EscapeDataString(back));
        Assert.StartsWith(idp.Province.Address, browser.LastUrl);
        await browser.PostFormAsync(atProvince, new() { ["UserName"] = "desk-tax", ["Password"] = provincePassword, ["ReturnUrl"] = ReturnUrl(atProvince.Html) }, absolute: browser.LastUrl);
        Assert.True(browser.LastPage.Path.StartsWith("/account/not-linked", StringComparison.Ordinal), $"{browser.LastPage.Path}: {IdentityBrowser.Text(browser.LastPage.Html)}");
        var subject = SubjectPattern().Match(browser.LastPage.Html).Groups[1].Value;
        Assert.Equal("desk-tax", subject);

        // HR links the platform's subject to a local desk; the same sign-in now gives that desk's token.
        using var api = idp.Api(await idp.HrTokenAsync());
        (await api.PostAsJsonAsync("api/accounts/desk-finance/link", new { subject })).EnsureSuccessStatusCode();
        var again = await browser.GetAsync("account/external?returnUrl=" + Uri.EscapeDataString(back));
        if (browser.LastUrl.StartsWith(idp.Province.Address, StringComparison.Ordinal))
        {
            // Both providers run on 127.0.0.1 here and share its cookies, so the platform asks again.
            await browser.PostFormAsync(again, new() { ["UserName"] = "desk-tax", ["Password"] = provincePassword, ["ReturnUrl"] = ReturnUrl(again.Html) }, absolute: browser.LastUrl);
        }

        Assert.StartsWith("/connect/verify", browser.LastPage.Path);
        await browser.PostFormAsync(browser.LastPage, new() { ["user_code"] = device.UserCode });
        var token = new JsonWebToken(await browser.RedeemDeviceCodeAsync(device.DeviceCode));
        Assert.Equal("desk-finance", token.Subject);
        Assert.Equal("FINANCE", token.GetClaim("agency").Value);

        var records = (await api.GetFromJsonAsync<JsonElement>("api/audit?limit=1000")).GetProperty("records").EnumerateArray().ToList();
        Assert.Contains(records, r => r.GetProperty("action").GetString() == "SignInFederated" && r.GetProperty("outcome").GetString() == "NOT_LINKED");
        Assert.Contains(records, r => r.GetProperty("action").GetString() == "SignInFederated" && r.GetProperty("outcome").GetString() == "OK"
            && r.GetProperty("target").GetString() == "desk-finance");
    }

    private static string ReturnUrl(string html) =>
        System.Net.WebUtility.HtmlDecode(Regex.Match(html, "name=\"ReturnUrl\" value=\"([^\"]*)\"").Groups[1].Value);

    [GeneratedRegex("id=\"subject\">([^<]+)<")]
    private static partial Regex SubjectPattern();
}
