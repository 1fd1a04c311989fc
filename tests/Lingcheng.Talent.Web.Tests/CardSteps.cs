using Lingcheng.Talent.Testing;
using Microsoft.Playwright;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>What a talent does with the phone, and how a test reads the QR the phone shows.</summary>
public static class CardSteps
{
    /// <summary>The QR figure of the talent's page.</summary>
    public static ILocator Qr(IPage page) => page.GetByRole(AriaRole.Img, new() { Name = "人才绿卡动态二维码,供窗口扫码核验" });

    /// <summary>Takes a picture of the QR on screen and reads it back with ZXing.Net, as a desk's camera would.</summary>
    public static async Task<string> ReadQrAsync(IPage page)
    {
        var png = await Qr(page).ScreenshotAsync();
        return QrImages.Read(png) ?? throw new Xunit.Sdk.XunitException("The QR on the page did not read back.");
    }

    /// <summary>When the QR now on screen expires (the page's own record of it), in Unix milliseconds.</summary>
    public static Task<long> ShownQrExpiresAtAsync(IPage page) =>
        page.EvaluateAsync<long>("() => Number(document.getElementById('card-qr').dataset.expiresAt)");
}
