using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>What a clerk does at the desk, as steps the tests read like sentences.</summary>
public static class DeskSteps
{
    /// <summary>Signs in on the development page as one desk of an agency; ends on the desk, ready to scan.</summary>
    public static async Task SignInAsDeskAsync(IPage page, string agency, string terminal)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("单位窗口终端").CheckAsync();
        await page.GetByLabel("单位(窗口终端)").SelectOptionAsync(agency);
        await page.GetByLabel("终端编号(窗口终端)").FillAsync(terminal);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/desk");
        await WaitUntilLiveAsync(page);
        await Expect(Verdict(page)).ToContainTextAsync("请扫描下一张绿卡");
    }

    /// <summary>The desk's page is live (its scan box is enabled once the server connection is up), in any language.</summary>
    public static async Task WaitUntilLiveAsync(IPage page)
    {
        await Expect(page.Locator("#scan-box")).ToBeEnabledAsync();
        await Expect(page.Locator("#scan-box")).ToBeFocusedAsync();
    }

    /// <summary>Signs in on the development page with another role (talent needs <paramref name="card"/>).</summary>
    public static async Task SignInAsAsync(IPage page, string roleLabel, string? card = null)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel(roleLabel).CheckAsync();
        if (card is not null)
        {
            await page.GetByLabel("卡号(人才)").FillAsync(card);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>The verdict area of the desk.</summary>
    public static ILocator Verdict(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "核验结果" });

    /// <summary>The scan box, as a handheld scanner sees it (it types into whatever has the focus).</summary>
    public static ILocator ScanBox(IPage page) => page.GetByLabel("扫码框");

    /// <summary>
    /// Puts text in the scan box and presses Enter, like a scanner or a paste, then waits for the
    /// next verdict; returns the milliseconds from Enter to the verdict in the page.
    /// </summary>
    public static async Task<double> ScanAsync(IPage page, string text)
    {
        var before = await LastScanNumberAsync(page);
        await ScanBox(page).FillAsync(text);
        await ScanBox(page).PressAsync("Enter");
        return await WaitForVerdictAsync(page, before);
    }

    /// <summary>
    /// Waits until a verdict newer than scan <paramref name="before"/> is on screen (within <paramref name="timeout"/>,
    /// Playwright's default when null); returns ms since the page's submit.
    /// </summary>
    public static async Task<double> WaitForVerdictAsync(IPage page, long before, TimeSpan? timeout = null)
    {
        await page.WaitForFunctionAsync(
            "n => [...document.querySelectorAll('[data-scan]')].some(e => Number(e.dataset.scan) > n)", before,
            new PageWaitForFunctionOptions { Timeout = timeout is { } t ? (float)t.TotalMilliseconds : null });
        return await page.EvaluateAsync<double>("() => performance.now() - window.lctScanSubmittedAt");
    }

    public static Task<long> LastScanNumberAsync(IPage page) =>
        page.EvaluateAsync<long>("() => Math.max(0, ...[...document.querySelectorAll('[data-scan]')].map(e => Number(e.dataset.scan)))");

    /// <summary>The row of one benefit in the agency's benefits table.</summary>
    public static ILocator BenefitRow(IPage page, string benefitName) =>
        page.GetByRole(AriaRole.Region, new() { Name = "本单位可办理的权益" }).GetByRole(AriaRole.Row).Filter(new() { HasText = benefitName });

    /// <summary>Saves a screenshot under the screenshot folder (docs/web.md links the ones kept).</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        Directory.CreateDirectory(WebSystem.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebSystem.ScreenshotDirectory, name + ".png"), FullPage = fullPage });
    }

    /// <summary>Runs axe on the page and returns the serious and critical violations, one line each.</summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        AxeResult result = await page.RunAxe();
        return [.. result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact}: {v.Id} — {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))})")];
    }
}
