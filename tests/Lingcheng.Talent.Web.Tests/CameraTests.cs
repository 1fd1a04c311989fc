using Lingcheng.Talent.V1;
using Microsoft.Playwright;
using static Lingcheng.Talent.Web.Tests.DeskSteps;
using static Microsoft.Playwright.Assertions;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>The desk's camera path, with Chromium's fake camera playing a video of a card's QR code.</summary>
public sealed class CameraTests(WebSystem system) : BrowserTests
{
    [Fact]
    public async Task Clerk_scans_a_card_with_the_camera_and_sees_valid()
    {
        var (card, _) = await system.IssueCardAsync(Tier.A);
        var registry = new TalentRegistryService.TalentRegistryServiceClient(system.Services.Registry!.Channel);
        var qr = await registry.RenderCardQrAsync(
            new RenderCardQrRequest { CardNumber = card, Format = QrImageFormat.Png, PixelsPerModule = 5 }, system.Services.AsHrOfficer());
        var video = FakeCamera.WriteY4m(qr.Image.ToByteArray());
        try
        {
            await using var browser = await system.LaunchAsync(
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--use-file-for-fake-video-capture=" + video);
            var page = await system.NewPageAsync(browser);
            await page.Context.GrantPermissionsAsync(["camera"], new() { Origin = system.Web.BaseUrl });
            await SignInAsDeskAsync(page, "SCITECH", "camera-" + Guid.NewGuid().ToString("N")[..6]);
            var before = await LastScanNumberAsync(page);

            await page.GetByRole(AriaRole.Button, new() { Name = "用摄像头扫码" }).ClickAsync();
            // Longer than a typed scan's wait: the camera starts, and every frame is decoded on the server, which shares
            // the two cores with the rest of the suite (one CI run took over 15 s; the speed is measured in DeskSpeedMeasurement).
            await WaitForVerdictAsync(page, before, TimeSpan.FromSeconds(60));

            await Expect(Verdict(page)).ToContainTextAsync("有效");
            await Expect(Verdict(page)).ToContainTextAsync(card);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "用摄像头扫码" })).ToBeVisibleAsync(); // the camera stopped after the read
            await ScreenshotAsync(page, "desk-camera-valid");
        }
        finally
        {
            File.Delete(video);
        }
    }
}
