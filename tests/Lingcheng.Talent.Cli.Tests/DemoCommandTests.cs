
namespace Lingcheng.Talent.Cli.Tests;

/// <summary><c>lct demo</c> against the running system.</summary>
public sealed class DemoCommandTests(RunningSystemFixture fixture)
{
    private LctProcess Lct => fixture.Lct;

    [Fact]
    public async Task The_demo_tells_the_whole_story_and_exits_zero()
    {
        await fixture.EnsureStartedAsync();
        var result = await Lct.RunAsync("demo", "--no-qr");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Step 8/8", result.Stdout);
        Assert.Contains("VALID", result.Stdout);
        Assert.Contains("ANNUAL_HEALTH_CHECK", result.Stdout);
        Assert.Contains("REVOKED", result.Stdout);
    }
}
