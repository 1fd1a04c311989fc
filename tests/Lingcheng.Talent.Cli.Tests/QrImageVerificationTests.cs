using System.Text.Json.Nodes;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>Issue → <c>qr --png</c> → <c>agency verify --image</c> (the PNG, and a phone-like JPEG of it).</summary>
public sealed class QrImageVerificationTests(RunningSystemFixture fixture)
{
    private LctProcess Lct => fixture.Lct;

    [Fact]
    public async Task A_card_issued_rendered_as_png_and_read_back_from_the_image_verifies_valid()
    {
        await fixture.EnsureStartedAsync();
        var (card, _) = await LctSteps.IssueCardAsync(Lct);
        var png = Path.Combine(fixture.WorkDirectory, card + ".png");

        var qr = await Lct.RunAsync("hr", "card", "qr", card, "--png", png);
        Assert.True(qr.ExitCode == 0, qr.ToString());
        Assert.True(File.Exists(png));

        var verify = await LctSteps.VerifyUntilAsync(Lct, ["agency", "verify", "--as", "agency:HOSP_PEOPLE", "--image", png, "--json"], "VERIFICATION_OUTCOME_VALID");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var json = JsonNode.Parse(verify.Stdout)!;
        Assert.Equal("VERIFICATION_OUTCOME_VALID", (string?)json["outcome"]);
        Assert.Equal(card, (string?)json["card_number"]);
    }

    [Fact]
    public async Task A_card_photographed_as_a_jpeg_verifies_valid_from_the_image()
    {
        await fixture.EnsureStartedAsync();
        var (card, qrText) = await LctSteps.IssueCardAsync(Lct);
        var jpeg = Path.Combine(fixture.WorkDirectory, card + ".jpg");
        await File.WriteAllBytesAsync(jpeg, QrImageFileTests.PhotoJpeg(qrText), TestContext.Current.CancellationToken);

        var verify = await LctSteps.VerifyUntilAsync(Lct, ["agency", "verify", "--as", "agency:HOSP_PEOPLE", "--image", jpeg, "--json"], "VERIFICATION_OUTCOME_VALID");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(card, (string?)JsonNode.Parse(verify.Stdout)!["card_number"]);
    }
}
