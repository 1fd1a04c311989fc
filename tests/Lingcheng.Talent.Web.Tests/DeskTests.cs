using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Playwright;
using static Lingcheng.Talent.Web.Tests.DeskSteps;
using static Microsoft.Playwright.Assertions;
using CardTier = Lingcheng.Talent.Cards.Tier;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>The agency desk (/desk) in Chromium, against the real services: what a clerk at a window sees and does.</summary>
public sealed class DeskTests(WebSystem system) : BrowserTests
{
    private EntitlementService.EntitlementServiceClient Entitlements => new(system.Services.Entitlements!.Channel);

    private async Task<IReadOnlyList<Redemption>> RedemptionsOfAsync(string cardNumber) =>
        (await Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = cardNumber, PageSize = 100 }, system.Services.AsHrOfficer())).Redemptions;

    private static string Terminal() => "t-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Clerk_scans_a_valid_card_with_the_scanner_and_sees_the_hospitals_two_benefits()
    {
        var (card, qr) = await system.IssueCardAsync(Tier.B, withPhoto: true);
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "HOSP_PEOPLE", Terminal());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "窗口核验" })).ToContainTextAsync("陵城区人民医院");

        await ScanAsync(page, qr);

        await Expect(Verdict(page)).ToContainTextAsync("有效");
        await Expect(Verdict(page)).ToContainTextAsync(card);
        await Expect(Verdict(page)).ToContainTextAsync("B 类 领军人才");
        await Expect(Verdict(page)).ToContainTextAsync("*"); // the masked name, never the full one
        await Expect(Verdict(page).GetByRole(AriaRole.Img, new() { Name = "持卡人照片" })).ToBeVisibleAsync();
        var rows = page.GetByRole(AriaRole.Region, new() { Name = "本单位可办理的权益" }).GetByRole(AriaRole.Row);
        await Expect(rows).ToHaveCountAsync(3); // header + the hospital's two benefits
        await Expect(BenefitRow(page, "就医绿色通道")).ToContainTextAsync("不限次数");
        await Expect(BenefitRow(page, "年度免费健康体检")).ToContainTextAsync("本年剩余 1 / 1 次");
        await Expect(page.GetByRole(AriaRole.Table).Last).ToContainTextAsync("有效"); // the recent scans
        await ScreenshotAsync(page, "desk-valid");
    }

    [Fact]
    public async Task Recording_a_use_drops_the_quota_by_one_and_a_double_click_or_a_reload_records_one_use()
    {
        var (card, qr) = await system.IssueCardAsync(Tier.A);
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "HOSP_PEOPLE", Terminal());
        await ScanAsync(page, qr);
        var row = BenefitRow(page, "年度免费健康体检");
        await Expect(row).ToContainTextAsync("本年剩余 1 / 1 次");

        await row.GetByRole(AriaRole.Button, new() { Name = "登记使用" }).DblClickAsync();

        await Expect(row).ToContainTextAsync("已登记");
        await Expect(row).ToContainTextAsync("本年剩余 0 / 1 次");
        await ScreenshotAsync(page, "desk-use-recorded");
        await page.ReloadAsync();
        await WaitUntilLiveAsync(page);
        await Expect(BenefitRow(page, "年度免费健康体检")).ToContainTextAsync("已登记");
        await Expect(BenefitRow(page, "年度免费健康体检").GetByRole(AriaRole.Button, new() { Name = "登记使用" })).ToHaveCountAsync(0);

        var uses = await RedemptionsOfAsync(card);
        Assert.Single(uses);
        Assert.Equal("ANNUAL_HEALTH_CHECK", uses[0].BenefitCode);
        Assert.Equal("HOSP_PEOPLE", uses[0].AgencyCode);
    }

    [Fact]
    public async Task Clerk_cancels_a_use_recorded_by_mistake_and_the_unit_comes_back()
    {
        var (card, qr) = await system.IssueCardAsync(Tier.C);
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "HOSP_TCM", Terminal());
        await ScanAsync(page, qr);
        await BenefitRow(page, "年度免费健康体检").GetByRole(AriaRole.Button, new() { Name = "登记使用" }).ClickAsync();
        await Expect(BenefitRow(page, "年度免费健康体检")).ToContainTextAsync("已登记");

        var recent = page.GetByRole(AriaRole.Region, new() { Name = "本终端最近扫码" });
        await recent.GetByRole(AriaRole.Button, new() { Name = "撤销" }).ClickAsync();
        await recent.GetByLabel("撤销原因").FillAsync("误扫,持卡人未体检");
        await recent.GetByRole(AriaRole.Button, new() { Name = "确认撤销" }).ClickAsync();

        await Expect(recent).ToContainTextAsync("已撤销");
        await Expect(recent.GetByRole(AriaRole.Button, new() { Name = "撤销" })).ToHaveCountAsync(0);
        var use = Assert.Single(await RedemptionsOfAsync(card));
        Assert.True(use.Cancelled);
        Assert.Equal("误扫,持卡人未体检", use.CancelReason);

        // The unit is back: the next scan offers the check-up again.
        await ScanAsync(page, qr);
        await Expect(BenefitRow(page, "年度免费健康体检")).ToContainTextAsync("本年剩余 1 / 1 次");
    }

    [Fact]
    public async Task Clerk_scans_a_card_the_bureau_revoked_and_sees_revoked()
    {
        var (card, qr) = await system.IssueCardAsync();
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "TRANSPORT", Terminal());
        await ScanAsync(page, qr);
        await Expect(Verdict(page)).ToContainTextAsync("有效");
        await ScreenshotAsync(page, "desk-before-revocation");

        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        await registry.RevokeCardAsync(new RevokeCardRequest
        {
            RequestId = SyntheticData.RequestId(),
            CardNumber = card,
            Reason = RevocationReason.LeftDistrict,
        }, system.Services.AsHrOfficer());
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken); // SPEC §7.1: a revocation reaches every replica within 1 s

        await ScanAsync(page, qr);

        await Expect(Verdict(page)).ToContainTextAsync("已吊销");
        await Expect(Verdict(page)).ToContainTextAsync("不能享受任何权益");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "登记使用" })).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "desk-revoked");
    }

    [Fact]
    public async Task Garbage_a_huge_paste_and_a_stranger_keys_card_each_get_their_message_and_record_nothing()
    {
        var (card, _) = await system.IssueCardAsync();
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "HOSP_PEOPLE", Terminal());

        await ScanAsync(page, "hello, this is not a card");
        await Expect(Verdict(page)).ToContainTextAsync("无法识别");
        await Expect(Verdict(page)).ToContainTextAsync("不是人才绿卡二维码");
        await ScreenshotAsync(page, "desk-malformed");

        await ScanAsync(page, new string('A', 1024 * 1024));
        await Expect(Verdict(page)).ToContainTextAsync("无法识别");
        await Expect(Verdict(page)).ToContainTextAsync("1048576 个字符");

        using var strangerKey = SigningKey.Generate(DateTimeOffset.UtcNow.AddDays(-1));
        var forged = new CardTokenIssuer(TimeProvider.System).IssueStatic(strangerKey, card, 1, CardTier.A, "张*明", DateTimeOffset.UtcNow.AddYears(1));
        await ScanAsync(page, forged);
        await Expect(Verdict(page)).ToContainTextAsync("非本系统证件");
        await Expect(Verdict(page)).ToContainTextAsync("请勿办理");
        await ScreenshotAsync(page, "desk-unknown-key");

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "登记使用" })).ToHaveCountAsync(0);
        Assert.Empty(await RedemptionsOfAsync(card));
        Assert.True(system.Web.Output.Length < 200_000, "the web app should not log the pasted megabyte");
    }

    [Fact]
    public async Task Another_agencys_desk_sees_only_its_own_benefits()
    {
        var (_, qr) = await system.IssueCardAsync(Tier.A);
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "HOUSING", Terminal());

        await ScanAsync(page, qr);

        await Expect(Verdict(page)).ToContainTextAsync("有效");
        var benefits = page.GetByRole(AriaRole.Region, new() { Name = "本单位可办理的权益" });
        await Expect(benefits.GetByRole(AriaRole.Row)).ToHaveCountAsync(3); // header + TALENT_APARTMENT and HOUSING_SUBSIDY
        await Expect(benefits).ToContainTextAsync("人才公寓");
        await Expect(benefits).ToContainTextAsync("购房补贴");
        await Expect(benefits).Not.ToContainTextAsync("就医绿色通道");
    }

    [Fact]
    public async Task A_scanner_typing_while_a_button_has_the_focus_still_fills_the_scan_box()
    {
        var (card, qr) = await system.IssueCardAsync(Tier.A);
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "HOSP_PEOPLE", Terminal());
        await ScanAsync(page, qr);
        await BenefitRow(page, "年度免费健康体检").GetByRole(AriaRole.Button, new() { Name = "登记使用" }).FocusAsync();

        // A handheld scanner is a keyboard: it types the text and Enter wherever the focus is.
        var before = await LastScanNumberAsync(page);
        await page.Keyboard.TypeAsync(qr);
        await page.Keyboard.PressAsync("Enter");
        await WaitForVerdictAsync(page, before);

        await Expect(Verdict(page)).ToContainTextAsync("有效");
        Assert.Empty(await RedemptionsOfAsync(card)); // the Enter did not press Record use
    }

    [Fact]
    public async Task A_user_without_the_agency_role_gets_the_refusal_page_not_the_desk()
    {
        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "人社局工作人员");

        await page.GotoAsync("/desk");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "无权访问" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("扫码框")).ToHaveCountAsync(0);

        var anonymous = await system.NewPageAsync();
        await anonymous.GotoAsync("/desk");
        await Expect(anonymous.GetByRole(AriaRole.Heading, new() { Name = "登录" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Desk_speaks_English_when_chosen()
    {
        var (_, qr) = await system.IssueCardAsync();
        var page = await system.NewPageAsync();
        await SignInAsDeskAsync(page, "CULTOUR", Terminal());

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        // Back on /desk in English (the address was /desk before the click too, so it says nothing).
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "English" })).ToHaveAttributeAsync("aria-current", "true");
        await WaitUntilLiveAsync(page);
        await page.GetByLabel("Scan", new() { Exact = true }).FillAsync(qr);
        await page.GetByLabel("Scan", new() { Exact = true }).PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Verdict" })).ToContainTextAsync("Valid");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "This agency's benefits" })).ToContainTextAsync("12 left this year");
        await ScreenshotAsync(page, "desk-english");
    }

    [Fact]
    public async Task Desk_screens_have_no_serious_or_critical_accessibility_violations()
    {
        var (_, qr) = await system.IssueCardAsync();
        var page = await system.NewPageAsync();
        await page.GotoAsync("/signin");
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));

        await SignInAsDeskAsync(page, "HOSP_PEOPLE", Terminal());
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
        await ScreenshotAsync(page, "desk-ready");

        await ScanAsync(page, qr);
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));

        await ScanAsync(page, "LCT1:NOT-A-CARD");
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
    }
}
