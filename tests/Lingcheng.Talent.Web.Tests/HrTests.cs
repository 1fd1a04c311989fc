using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Playwright;
using static Lingcheng.Talent.Web.Tests.DeskSteps;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>The HR console (/hr) in Chromium, against the real services: what an HR officer and an auditor see and do.</summary>
public sealed class HrTests(WebSystem system) : BrowserTests
{
    [Fact]
    public async Task An_officer_registers_a_talent_issues_and_prints_a_card_a_desk_verifies_it_and_then_sees_it_revoked()
    {
        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "人社局工作人员");
        await page.GotoAsync("/hr/talents/new");
        var name = SyntheticData.ChineseName();

        // First with a resident ID whose check digit is wrong: the error sits beside that field, nothing is stored.
        await page.GetByLabel("姓名", new() { Exact = true }).FillAsync(name);
        var badDocument = SyntheticData.ResidentIdWithWrongCheckDigit();
        await page.GetByLabel("证件号码").FillAsync(badDocument);
        await page.GetByLabel("手机号码").FillAsync(SyntheticData.MobilePhone());
        await page.GetByLabel("工作单位").FillAsync("陵城区示例科技有限公司");
        await page.GetByLabel("单位统一社会信用代码").FillAsync(SyntheticData.CreditCode());
        await page.GetByLabel("人才类别").SelectOptionAsync(new SelectOptionValue { Label = "B 类 领军人才" });
        await page.GetByLabel("人才项目").FillAsync("百人计划");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交登记" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "尚未保存任何内容" })).ToBeVisibleAsync();
        var documentError = page.Locator("#document-number-error");
        await Expect(documentError).ToBeVisibleAsync();
        await Expect(page.GetByLabel("证件号码")).ToHaveAttributeAsync("aria-describedby", "document-number-error");
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        var listed = await registry.ListTalentsAsync(new ListTalentsRequest { DocumentNumber = badDocument }, system.Services.AsHrOfficer());
        Assert.Empty(listed.Talents); // (by the document: another test may have registered someone of the same name)
        await ScreenshotAsync(page, "hr-register-error");

        var documentNumber = SyntheticData.ResidentId();
        await page.GetByLabel("证件号码").FillAsync(documentNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "提交登记" }).ClickAsync();
        await page.WaitForURLAsync("**/hr/talents/*");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();

        // Found again by the number on the ID card (the registry's blind index), as the officer would search.
        var talentAddress = page.Url;
        await page.GotoAsync("/hr/talents");
        await page.GetByLabel("证件号码").FillAsync(documentNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        Assert.Equal(talentAddress, page.Url);

        await page.GetByRole(AriaRole.Button, new() { Name = "发卡" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("已发卡");
        var cardNumber = (await page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Cell).First.TextContentAsync())!.Trim();
        Assert.Matches("^LC[0-9]{8}[0-9X]$", cardNumber);
        await ScreenshotAsync(page, "hr-talent");

        // The printed card: its QR, read off a picture of the page, verifies at a desk.
        var print = await page.Context.NewPageAsync();
        await print.GotoAsync($"/hr/cards/{cardNumber}/print");
        var front = print.GetByRole(AriaRole.Article, new() { Name = $"绿卡 {cardNumber} 正面" });
        await Expect(front).ToContainTextAsync(name);
        await print.EmulateMediaAsync(new() { Media = Media.Print });
        var picture = await front.ScreenshotAsync(new() { Scale = ScreenshotScale.Device });
        await ScreenshotAsync(print, "hr-print");
        var printedQr = QrImages.Read(picture);
        Assert.NotNull(printedQr);
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(printedQr));

        await page.GetByRole(AriaRole.Link, new() { Name = "吊销" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"确认吊销 {name} 的绿卡 {cardNumber}?吊销后不能恢复。" })).ToBeVisibleAsync();
        await page.GetByLabel("吊销原因").SelectOptionAsync(new SelectOptionValue { Label = "离开本区" });
        await page.GetByRole(AriaRole.Button, new() { Name = "确认吊销" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("已吊销");
        var history = page.GetByRole(AriaRole.Table).Filter(new() { Has = page.GetByRole(AriaRole.Columnheader, new() { Name = "事件" }) });
        await Expect(history.GetByRole(AriaRole.Row)).ToHaveCountAsync(3); // header, issued, revoked
        await Expect(history.GetByRole(AriaRole.Row).Last).ToContainTextAsync("吊销 (离开本区)");
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        Assert.Equal(VerificationOutcome.Revoked, await system.VerifyAsync(printedQr));
    }

    [Fact]
    public async Task An_auditor_sees_the_lists_without_any_write_control_and_a_forged_post_is_refused()
    {
        var (card, _) = await system.IssueCardAsync();
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        var talentId = (await registry.GetCardAsync(new GetCardRequest { CardNumber = card }, system.Services.AsHrOfficer())).Card.TalentId;
        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "组织部(只读)");

        await page.GotoAsync("/hr/talents");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "人才名册" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "登记人才" })).ToHaveCountAsync(0);
        await page.GotoAsync($"/hr/talents/{talentId}?confirm=revoke&card={card}");
        await Expect(page.GetByRole(AriaRole.Table).First).ToContainTextAsync(card);
        await Expect(page.GetByRole(AriaRole.Button)).ToHaveCountAsync(1); // sign-out only
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "吊销" })).ToHaveCountAsync(0);
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));

        // A revoke posted anyway, with a valid antiforgery token taken from the sign-in page's form.
        await page.GotoAsync("/hr/talents/new");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "无权访问" })).ToBeVisibleAsync();
        var token = await TokenFromAsync(page, "/signin");
        var response = await page.APIRequest.PostAsync($"/hr/talents/{talentId}", new()
        {
            Form = FormOf(page, ("_handler", "card-action"), ("__RequestVerificationToken", token), ("RequestId", SyntheticData.RequestId()),
                ("Action", "revoke"), ("CardNumber", card), ("Reason", "LeftDistrict")),
        });

        Assert.Equal(403, response.Status);
        var state = (await registry.GetCardAsync(new GetCardRequest { CardNumber = card }, system.Services.AsHrOfficer())).Card.State;
        Assert.Equal(CardState.Active, state);
    }

    [Fact]
    public async Task The_hr_screens_have_no_serious_or_critical_accessibility_violations()
    {
        var (card, _) = await system.IssueCardAsync();
        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "人社局工作人员");

        await page.GotoAsync("/hr/talents");
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
        await page.GotoAsync("/hr/talents/new");
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
        await page.GotoAsync($"/hr/cards/{card}/print");
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
    }

    [Fact]
    public async Task The_reports_show_the_numbers_of_GetUsageStatistics_in_the_chart_the_table_and_the_csv()
    {
        var (_, qr) = await system.IssueCardAsync(V1.Tier.A);
        var verification = new VerificationService.VerificationServiceClient(system.Services.Verification!.Channel);
        for (var i = 0; i < 3; i++)
        {
            await verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "SCENIC_SPOT_ENTRY", RedemptionId = SyntheticData.RequestId() }, system.Services.AsAgency("CULTOUR"));
        }

        var statistics = (await new EntitlementService.EntitlementServiceClient(system.Services.Entitlements!.Channel)
            .GetUsageStatisticsAsync(new GetUsageStatisticsRequest(), system.Services.AsAuditor())).Statistics;
        var scenic = statistics.Where(s => s.BenefitCode == "SCENIC_SPOT_ENTRY").Sum(s => s.Redemptions);
        var total = statistics.Sum(s => s.Redemptions);
        Assert.True(scenic >= 3);
        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "组织部(只读)");

        await page.GotoAsync("/hr/reports");

        await Expect(page.GetByText($"共登记使用 {total} 次")).ToBeVisibleAsync();
        var byBenefit = page.GetByRole(AriaRole.Region, new() { Name = "按权益" });
        await Expect(byBenefit.GetByRole(AriaRole.Row).Filter(new() { HasText = "A级景区免费游览" })).ToContainTextAsync(scenic.ToString());
        await Expect(byBenefit.GetByRole(AriaRole.Img)).ToContainTextAsync(new System.Text.RegularExpressions.Regex($"A级景区免费游览\\s*{scenic}\\b")); // the bar's label and value
        await ScreenshotAsync(page, "hr-reports");

        var csv = await page.APIRequest.GetAsync("/hr/reports.csv");
        Assert.Equal(200, csv.Status);
        var lines = (await csv.TextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(scenic, lines.Where(l => l.Contains(",SCENIC_SPOT_ENTRY,", StringComparison.Ordinal)).Sum(l => long.Parse(l.Split(',')[^2])));
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));
    }

    [Fact]
    public async Task An_officer_rotates_the_signing_key_after_a_confirmation_and_the_audit_chains_check_intact()
    {
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        var before = (await registry.GetTrustListAsync(new GetTrustListRequest(), system.Services.AsHrOfficer())).Keys;
        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "人社局工作人员");

        await page.GotoAsync("/hr/keys");
        var chains = page.GetByRole(AriaRole.Region, new() { Name = "审计链校验" });
        await Expect(chains.GetByRole(AriaRole.Row).Filter(new() { HasText = "完整" })).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Link, new() { Name = "轮换签名密钥…" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "确认轮换" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("已轮换签名密钥");
        var after = (await registry.GetTrustListAsync(new GetTrustListRequest(), system.Services.AsHrOfficer())).Keys;
        Assert.Equal(before.Count + 1, after.Count);
        var newKey = after.Single(k => before.All(b => b.Kid != k.Kid));
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = newKey.Kid })).ToContainTextAsync("ACTIVE");
        await ScreenshotAsync(page, "hr-keys");

        // The cards issued before still verify (their key retired, not revoked), and new cards use the new key.
        var (_, qr) = await system.IssueCardAsync();
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(qr));
    }

    [Fact]
    public async Task An_officer_revokes_a_signing_key_only_with_a_reason_and_the_cards_it_signed_stop_verifying()
    {
        // A key of this test's own (the tests run one at a time): rotate, then issue one card with the new key.
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        await registry.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = "t-" + Guid.NewGuid().ToString("N") }, system.Services.AsHrOfficer());
        var key = (await registry.GetTrustListAsync(new GetTrustListRequest(), system.Services.AsHrOfficer())).Keys.Single(k => k.Status == SigningKeyStatus.Active);
        var (_, qr) = await system.IssueCardAsync();
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(qr));

        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "人社局工作人员");
        await page.GotoAsync("/hr/keys");
        await page.GetByRole(AriaRole.Link, new() { Name = "吊销… " + key.Kid }).ClickAsync();
        await Expect(page.GetByText("确认吊销签名密钥 " + key.Kid)).ToBeVisibleAsync();
        Assert.Empty(await SeriousAccessibilityViolationsAsync(page));

        // Without a reason: refused, the field named beside it, nothing revoked.
        await page.GetByRole(AriaRole.Button, new() { Name = "确认吊销" }).ClickAsync();
        await Expect(page.Locator("#key-reason-error")).ToContainTextAsync("请填写吊销原因");
        await ScreenshotAsync(page, "hr-key-revoke");
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(qr));

        await page.GetByLabel("吊销原因(必填,记入审计记录)").FillAsync("演练:模拟私钥泄露");
        await page.GetByRole(AriaRole.Button, new() { Name = "确认吊销" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"已吊销签名密钥 {key.Kid}。用它签发的在用卡有 1 张");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = key.Kid })).ToContainTextAsync("REVOKED");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "吊销… " + key.Kid })).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "hr-key-revoked");

        // The verification service learns it from the card feed within about a second; the card's printed QR is refused.
        var outcome = VerificationOutcome.Valid;
        for (var i = 0; i < 50 && outcome == VerificationOutcome.Valid; i++)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            outcome = await system.VerifyAsync(qr);
        }

        Assert.Equal(VerificationOutcome.UnknownKey, outcome);
        var keys = (await registry.GetTrustListAsync(new GetTrustListRequest(), system.Services.AsHrOfficer())).Keys;
        Assert.Equal(SigningKeyStatus.Revoked, keys.Single(k => k.Kid == key.Kid).Status);
        Assert.Single(keys, k => k.Status == SigningKeyStatus.Active); // a new key signs from now on
        var (_, fresh) = await system.IssueCardAsync();
        Assert.Equal(VerificationOutcome.Valid, await system.VerifyAsync(fresh));
    }

    [Fact]
    public async Task An_officer_edits_a_talent_a_bad_value_is_named_and_a_batch_of_cards_prints_from_the_list()
    {
        var employer = "批量打印测试单位" + Guid.NewGuid().ToString("N")[..6];
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        var numbers = new List<string>();
        string talentId = "";
        for (var i = 0; i < 3; i++)
        {
            var record = SyntheticData.NewTalent();
            record.EmployerName = employer;
            talentId = (await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = record }, system.Services.AsHrOfficer())).Talent.TalentId;
            numbers.Add((await registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talentId }, system.Services.AsHrOfficer())).Card.CardNumber);
        }

        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "人社局工作人员");
        await page.GotoAsync($"/hr/talents/{talentId}/edit");
        await page.GetByLabel("手机号码").FillAsync("12345");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存修改" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "尚未保存任何内容" })).ToBeVisibleAsync();
        await page.GetByLabel("手机号码").FillAsync("13912345678");
        await page.GetByLabel("人才项目").FillAsync("十佳科技工作者");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存修改" }).ClickAsync();
        await page.WaitForURLAsync($"**/hr/talents/{talentId}");
        var saved = (await registry.GetTalentAsync(new GetTalentRequest { TalentId = talentId }, system.Services.AsHrOfficer())).Talent;
        Assert.Equal("13912345678", saved.MobilePhone);
        Assert.Equal("十佳科技工作者", saved.Programme);
        Assert.Equal(employer, saved.EmployerName); // the fields not touched stay as they were

        await page.GotoAsync("/hr/talents?employer=" + Uri.EscapeDataString(employer));
        var printLink = page.GetByRole(AriaRole.Link, new() { Name = "打印本页的 3 张有效绿卡" });
        await page.GotoAsync((await printLink.GetAttributeAsync("href"))!);
        foreach (var number in numbers)
        {
            await Expect(page.GetByRole(AriaRole.Article, new() { Name = $"绿卡 {number} 正面" })).ToBeVisibleAsync();
        }
    }

    private static async Task<string> TokenFromAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        return (await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value"))!;
    }

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }
}
