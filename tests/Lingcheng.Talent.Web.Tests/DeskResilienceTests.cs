using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Playwright;
using static Lingcheng.Talent.Web.Tests.DeskSteps;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>The desk when things go wrong or time passes: a lost answer, a restart of the web app, the pause before the next card.</summary>
public sealed class DeskResilienceTests(WebSystem system) : BrowserTests
{
    [Fact]
    public async Task A_use_whose_answer_was_lost_is_retried_with_the_same_id_and_recorded_once()
    {
        var (card, qr) = await system.IssueCardAsync(Tier.A);
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "UNION", "retry-" + Guid.NewGuid().ToString("N")[..6]);
        await ScanAsync(page, qr);
        var row = BenefitRow(page, "疗休养");
        await Expect(row).ToContainTextAsync("剩余 1 / 1 次");

        system.Services.Entitlements!.Kill();
        try
        {
            await row.GetByRole(AriaRole.Button, new() { Name = "登记使用" }).ClickAsync();
            await Expect(row).ToContainTextAsync("未收到登记结果", new() { Timeout = 30_000 });
        }
        finally
        {
            await system.Services.Entitlements.RestartAsync();
        }

        await row.GetByRole(AriaRole.Button, new() { Name = "重试登记" }).ClickAsync();

        await Expect(row).ToContainTextAsync("已登记", new() { Timeout = 30_000 });
        var entitlements = new EntitlementService.EntitlementServiceClient(system.Services.Entitlements.Channel);
        var uses = (await entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card }, system.Services.AsHrOfficer())).Redemptions;
        Assert.Single(uses);
        Assert.StartsWith("desk-", uses[0].RedemptionId);
    }

    [Fact]
    public async Task With_the_registry_down_the_verdict_says_it_comes_from_the_cached_card_states()
    {
        await using var app = await WebAppProcess.StartAsync(system.WebEnvironment(new Dictionary<string, string> { ["Desk__StaleStateSeconds"] = "8" }));
        var (_, qr) = await system.IssueCardAsync();
        var page = await system.NewPageAsync(baseUrl: app.BaseUrl);
        await SignInAsDeskAsync(page, "TAX", "stale-1");
        await ScanAsync(page, qr);
        await Expect(Verdict(page)).ToContainTextAsync("有效");
        await Expect(Verdict(page)).Not.ToContainTextAsync("暂时无法连接发卡中心");

        system.Services.Registry!.Kill();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken); // past the 8 s, whatever the last heartbeat's age
            await ScanAsync(page, qr);

            await Expect(Verdict(page)).ToContainTextAsync("有效"); // the replica keeps verifying from its cache
            await Expect(Verdict(page)).ToContainTextAsync("注意:暂时无法连接发卡中心,结果基于");
            await ScreenshotAsync(page, "desk-stale");
        }
        finally
        {
            await system.Services.Registry.RestartAsync();
        }
    }

    [Fact]
    public async Task A_desk_stays_signed_in_when_the_web_app_restarts_with_its_key_folder_and_not_without_it()
    {
        var keys = Path.Combine(system.Services.DataDirectory, "web-keys-" + Guid.NewGuid().ToString("N")[..8]);
        var port = ServiceProcess.FreePort();
        var (_, qr) = await system.IssueCardAsync();
        IPage page;
        await using (var app = await WebAppProcess.StartAsync(WithKeys(keys), port: port))
        {
            page = await system.NewPageAsync(baseUrl: app.BaseUrl);
            await SignInAsDeskAsync(page, "TAX", "restart-1");
        } // killed, as by a crash or a replaced container

        await using (var restarted = await WebAppProcess.StartAsync(WithKeys(keys), port: port))
        {
            await page.GotoAsync("/desk");
            await WaitUntilLiveAsync(page);
            await ScanAsync(page, qr);
            await Expect(Verdict(page)).ToContainTextAsync("有效");
        }

        // The control: a web app with other keys cannot read the session cookie, and the desk must sign in again.
        // A new tab of the same browser (same cookies) on a new port: the old tab's reconnecting page and the
        // port just freed play no part in it.
        Assert.Contains(await page.Context.CookiesAsync(), cookie => cookie.Name == "lct.session");
        await page.CloseAsync();
        await using var other = await WebAppProcess.StartAsync(WithKeys(keys + "-other"));
        var control = await page.Context.NewPageAsync();
        await control.GotoAsync(other.BaseUrl + "/desk");
        Assert.True(new Uri(control.Url).AbsolutePath == "/signin", $"A web app with other keys should send the desk to /signin, but it shows {control.Url}");

        Dictionary<string, string> WithKeys(string folder) => system.WebEnvironment(new Dictionary<string, string> { ["DataProtection__KeysDirectory"] = folder });
    }

    [Fact]
    public async Task The_desk_clears_for_the_next_card_after_the_configured_pause()
    {
        await using var app = await WebAppProcess.StartAsync(system.WebEnvironment(new Dictionary<string, string> { ["Desk__ResetAfterSeconds"] = "2" }));
        var (_, qr) = await system.IssueCardAsync();
        var page = await system.NewPageAsync(baseUrl: app.BaseUrl);
        await SignInAsDeskAsync(page, "EDU", "reset-1");
        await ScanAsync(page, qr);
        await Expect(Verdict(page)).ToContainTextAsync("有效");

        await Expect(Verdict(page)).ToContainTextAsync("请扫描下一张绿卡", new() { Timeout = 10_000 });
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "本终端最近扫码" })).ToContainTextAsync("有效"); // still in the recent list
    }
}
