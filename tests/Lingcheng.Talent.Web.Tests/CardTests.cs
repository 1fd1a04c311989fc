using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Playwright;
using static Lingcheng.Talent.Web.Tests.CardSteps;
using static Lingcheng.Talent.Web.Tests.DeskSteps;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>The talent's card (/card) on a phone-sized Chromium, against the real services.</summary>
public sealed class CardTests(WebSystem system) : BrowserTests
{
    private TalentRegistryService.TalentRegistryServiceClient Registry => new(system.Services.Registry!.Channel);

    private async Task<IPage> SignInAsTalentAsync(string card)
    {
        var page = await system.NewPageAsync(phone: true);
        await SignInAsAsync(page, "人才(持卡人)", card);
        await page.WaitForURLAsync("**/card");
        return page;
    }

    [Fact]
    public async Task A_talent_shows_a_live_QR_on_the_phone_and_a_desk_verifies_it_as_valid()
    {
        var (card, printed) = await system.IssueCardAsync(Tier.B);
        var page = await SignInAsTalentAsync(card);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的人才绿卡" })).ToBeVisibleAsync();
        await Expect(page.GetByText("出示时请调高屏幕亮度")).ToBeVisibleAsync();

        var shown = await ReadQrAsync(page);

        Assert.StartsWith("LCT1:", shown);
        Assert.NotEqual(printed, shown); // the phone never shows the printed (static) token
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(shown));
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "绿卡二维码" })).ToContainTextAsync("秒后自动刷新");
        await ScreenshotAsync(page, "card-phone", fullPage: false);
    }

    [Fact]
    public async Task The_page_shows_a_new_QR_before_the_old_one_expires_and_the_old_one_then_scans_as_expired()
    {
        var (card, _) = await system.IssueCardAsync();
        var page = await SignInAsTalentAsync(card);
        var first = await ReadQrAsync(page);
        var firstExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(await ShownQrExpiresAtAsync(page));

        string second;
        do
        {
            await Task.Delay(500, TestContext.Current.CancellationToken);
            second = await ReadQrAsync(page);
        }
        while (second == first && DateTimeOffset.UtcNow < firstExpiresAt);

        Assert.NotEqual(first, second);
        Assert.True(DateTimeOffset.UtcNow < firstExpiresAt, "the new QR should be on screen before the old one expires");

        var wait = firstExpiresAt + TimeSpan.FromSeconds(WebSystem.ClockSkewSeconds + 1) - DateTimeOffset.UtcNow;
        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TestContext.Current.CancellationToken);
        Assert.Equal(VerificationOutcome.TokenExpired, await system.VerifyAsync(first));
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(await ReadQrAsync(page)));
    }

    [Fact]
    public async Task A_suspended_card_shows_suspended_and_no_QR_and_reinstating_brings_the_QR_back()
    {
        var (card, _) = await system.IssueCardAsync();
        var page = await SignInAsTalentAsync(card);
        await Expect(Qr(page)).ToBeVisibleAsync();

        await Registry.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card, Note = "资料核实中" }, system.Services.AsHrOfficer());
        await page.ReloadAsync();

        var panel = page.GetByRole(AriaRole.Region, new() { Name = "绿卡二维码" });
        await Expect(panel).ToContainTextAsync("已暂停");
        await Expect(panel).ToContainTextAsync("陵城区人力资源和社会保障局");
        await Expect(Qr(page)).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "card-suspended", fullPage: false);

        await Registry.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card }, system.Services.AsHrOfficer());
        await page.ReloadAsync();
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(await ReadQrAsync(page)));
    }

    [Fact]
    public async Task The_benefits_match_the_entitlement_service_and_a_desks_use_and_check_appear_on_the_page()
    {
        var (card, printed) = await system.IssueCardAsync(Tier.C);
        var verification = new VerificationService.VerificationServiceClient(system.Services.Verification!.Channel);
        await verification.RedeemAsync(new RedeemRequest { QrText = printed, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = SyntheticData.RequestId() },
            system.Services.AsAgency("HOSP_TCM", "window-3"));
        var entitlements = (await new EntitlementService.EntitlementServiceClient(system.Services.Entitlements!.Channel)
            .ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, system.Services.AsTalent(card))).Entitlements;

        var page = await SignInAsTalentAsync(card);

        var benefits = page.GetByRole(AriaRole.Region, new() { Name = "我的 16 项权益" });
        await Expect(benefits.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(entitlements.Count);
        foreach (var e in entitlements)
        {
            await Expect(benefits).ToContainTextAsync(e.BenefitName);
        }

        await Expect(benefits.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "年度免费健康体检" })).ToContainTextAsync("本期次数已用完");
        await Expect(benefits.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "配偶就业安置" })).ToContainTextAsync("该人才类别不享受"); // A–B only
        var uses = page.GetByRole(AriaRole.Region, new() { Name = "我的使用记录" });
        await Expect(uses).ToContainTextAsync("年度免费健康体检");
        await Expect(uses).ToContainTextAsync("陵城区中医院");
        var checks = page.GetByRole(AriaRole.Region, new() { Name = "谁核验了我的卡" });
        await Expect(checks).ToContainTextAsync("陵城区中医院");
        await Expect(checks).ToContainTextAsync("有效");
        await ScreenshotAsync(page, "card-benefits-and-uses");
    }

    [Fact]
    public async Task Another_talents_card_number_in_the_address_gets_the_refusal_and_nothing_of_that_card()
    {
        var (mine, _) = await system.IssueCardAsync();
        var (theirs, _) = await system.IssueCardAsync();
        var theirCard = (await Registry.GetCardAsync(new GetCardRequest { CardNumber = theirs }, system.Services.AsHrOfficer())).Card;
        var page = await SignInAsTalentAsync(mine);

        var response = await page.GotoAsync("/card/" + theirs);

        Assert.Equal(403, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "无权访问" })).ToBeVisibleAsync();
        // The page's own address (in its language links) is what the talent typed; nothing else may name that card.
        var body = (await response.TextAsync()).Replace(Uri.EscapeDataString("/card/" + theirs), "").Replace("/card/" + theirs, "");
        Assert.DoesNotContain(theirs, body);
        Assert.DoesNotContain(theirCard.HolderDisplayName, body);
        await Expect(Qr(page)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Offline_after_one_visit_the_page_opens_from_the_cache_and_marks_an_expired_QR_as_needing_the_network()
    {
        var (card, _) = await system.IssueCardAsync();
        var page = await SignInAsTalentAsync(card);
        while (!await page.EvaluateAsync<bool>("async () => !!(await caches.match('/card')) && !!(await caches.match(document.querySelector('script[src*=card]').src))"))
        {
            await Task.Delay(200, TestContext.Current.CancellationToken); // the service worker is keeping the page
        }

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我的人才绿卡" })).ToBeVisibleAsync();
        await Expect(page.GetByText("以上信息获取于")).ToBeVisibleAsync();
        await Expect(page.GetByText("二维码已过期,需联网刷新")).ToBeVisibleAsync(new() { Timeout = (WebSystem.DynamicTokenSeconds + 10) * 1000 });
        await ScreenshotAsync(page, "card-offline-expired", fullPage: false);

        await page.Context.SetOfflineAsync(false);
        await Expect(page.GetByText("秒后自动刷新")).ToBeVisibleAsync(new() { Timeout = 15_000 }); // back online, a fresh QR
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(await ReadQrAsync(page)));
    }

    [Fact]
    public async Task The_card_page_has_no_serious_or_critical_accessibility_violations()
    {
        var (card, _) = await system.IssueCardAsync();
        var page = await SignInAsTalentAsync(card);
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));

        await Registry.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card, Note = "核实中" }, system.Services.AsHrOfficer());
        await page.ReloadAsync();
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
    }
}
