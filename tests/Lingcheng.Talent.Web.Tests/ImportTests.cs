using System.Text;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Playwright;
using static Lingcheng.Talent.Web.Tests.DeskSteps;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>The HR console's bulk import (/hr/import) in Chromium, against the real registry.</summary>
public sealed class ImportTests(WebSystem system) : BrowserTests
{
    private const string Header = "full_name,gender,document_type,document_number,nationality,mobile_phone,employer_name,employer_credit_code,tier,programme";

    static ImportTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static string Row(string name, string? document = null, string tier = "C", string? mobile = null) =>
        $"{name},男,RESIDENT_ID,{document ?? SyntheticData.ResidentId()},CHN,{mobile ?? SyntheticData.MobilePhone()},陵城区导入测试有限公司,{SyntheticData.CreditCode()},{tier},农业英才";

    private async Task<IPage> UploadAsync(byte[] file, string name = "talents.csv", string? encoding = null)
    {
        var page = await system.NewPageAsync();
        await SignInAsAsync(page, "人社局工作人员");
        await page.GotoAsync("/hr/import");
        await page.GetByLabel("CSV 文件").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/csv", Buffer = file });
        if (encoding is not null)
        {
            await page.GetByLabel("文件编码").SelectOptionAsync(encoding);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "试运行" }).ClickAsync();
        return page;
    }

    [Fact]
    public async Task A_thousand_rows_with_three_bad_ones_dry_run_by_line_and_field_import_with_progress_and_never_twice()
    {
        var lines = new List<string> { Header };
        for (var i = 2; i <= 1001; i++)
        {
            lines.Add(i switch
            {
                101 => Row(SyntheticData.ChineseName(), document: SyntheticData.ResidentIdWithWrongCheckDigit()),
                502 => Row(SyntheticData.ChineseName(), tier: "E"),
                903 => Row(SyntheticData.ChineseName(), mobile: "12345"),
                _ => Row(SyntheticData.ChineseName()),
            });
        }

        var file = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");
        var page = await UploadAsync(file);

        var dryRun = page.GetByRole(AriaRole.Region, new() { Name = "试运行结果:talents.csv" });
        await Expect(dryRun).ToContainTextAsync("共 1000 行(按 UTF-8 读取):997 行可导入,3 行有误,0 行已登记将跳过。");
        var problems = dryRun.GetByRole(AriaRole.Row);
        await Expect(problems).ToHaveCountAsync(4);
        await Expect(problems.Nth(1)).ToContainTextAsync("101document_number");
        await Expect(problems.Nth(2)).ToContainTextAsync("502tier");
        await Expect(problems.Nth(3)).ToContainTextAsync("903mobile_phone");
        await ScreenshotAsync(page, "hr-import-dry-run");

        await page.GetByRole(AriaRole.Button, new() { Name = "导入 997 行" }).ClickAsync();
        await Expect(page.GetByLabel("导入进度")).ToBeVisibleAsync();
        await page.ReloadAsync(); // the import goes on in the server; the page finds it again
        await Expect(page.GetByText("导入完成:新登记 997 人,已登记跳过 0 人,失败 0 行。")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await ScreenshotAsync(page, "hr-import-done");
        var result = await page.APIRequest.GetAsync((await page.GetByRole(AriaRole.Link, new() { Name = "下载导入结果(CSV)" }).GetAttributeAsync("href"))!);
        var resultLines = (await result.TextAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(997, resultLines.Count(l => l.Contains(",registered,T", StringComparison.Ordinal)));
        Assert.Contains(resultLines, l => l.StartsWith("502,invalid,,", StringComparison.Ordinal));

        // The same file again registers nobody twice.
        var again = await UploadAsync(file);
        await Expect(again.GetByRole(AriaRole.Region, new() { Name = "试运行结果:talents.csv" }))
            .ToContainTextAsync("共 1000 行(按 UTF-8 读取):0 行可导入,3 行有误,997 行已登记将跳过。");
        await Expect(again.GetByText("没有可导入的行。")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_gb18030_file_from_excel_keeps_its_chinese_names()
    {
        var name = "欧阳" + SyntheticData.ChineseName()[1..];
        var document = SyntheticData.ResidentId();
        var file = Encoding.GetEncoding("GB18030").GetBytes(Header + "\r\n" + Row(name, document: document) + "\r\n");
        var page = await UploadAsync(file, "人才名单.csv");

        await Expect(page.GetByText("共 1 行(按 GB18030 读取):1 行可导入")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "导入 1 行" }).ClickAsync();
        await Expect(page.GetByText("导入完成:新登记 1 人")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        var found = await registry.ListTalentsAsync(new ListTalentsRequest { DocumentNumber = document }, system.Services.AsHrOfficer());
        var talent = (await registry.GetTalentAsync(new GetTalentRequest { TalentId = Assert.Single(found.Talents).TalentId }, system.Services.AsHrOfficer())).Talent;
        Assert.Equal(name, talent.FullName);
        Assert.Equal("陵城区导入测试有限公司", talent.EmployerName);
    }

    [Theory]
    [InlineData("王\"小明", "line 3: a quote inside a cell that is not quoted")]
    [InlineData("\"王小明", "line 3: a quote is opened and not closed")]
    public async Task A_stray_or_unclosed_quote_is_reported_by_its_line_and_nothing_is_imported(string badName, string expected)
    {
        var file = Encoding.UTF8.GetBytes(string.Join("\r\n", Header, Row(SyntheticData.ChineseName()), Row(badName), Row(SyntheticData.ChineseName()), Row(SyntheticData.ChineseName())) + "\r\n");

        var page = await UploadAsync(file);

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(expected);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "试运行" })).ToBeVisibleAsync(); // still on the upload form
    }

    [Fact]
    public async Task A_file_that_is_neither_utf8_nor_gb18030_is_refused_with_the_line_of_the_bad_bytes()
    {
        var good = Encoding.UTF8.GetBytes(Header + "\r\n" + Row(SyntheticData.ChineseName()) + "\r\n");
        byte[] file = [.. good, 0xFF, 0xFF, 0xFF, (byte)'\r', (byte)'\n'];

        var page = await UploadAsync(file);

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("line 3: bytes that are not valid UTF-8");
    }
}
