using System.Text.Json.Nodes;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary><c>lct agency sync</c> and <c>lct agency verify --offline</c>.</summary>
public sealed class OfflineVerificationTests(RunningSystemFixture fixture)
{
    private LctProcess Lct => fixture.Lct;

    [Fact]
    public async Task Offline_verification_of_a_card_revoked_after_the_last_sync_says_revoked_after_a_refresh()
    {
        await fixture.EnsureStartedAsync();
        var cache = Path.Combine(fixture.WorkDirectory, "offline-" + Guid.NewGuid().ToString("N"));
        var (card, qrText) = await LctSteps.IssueCardAsync(Lct);

        var sync = await Lct.RunAsync("agency", "sync", "--as", "agency:HOSP_PEOPLE", "--cache", cache);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        var before = await Lct.RunAsync("agency", "verify", "--offline", "--cache", cache, qrText, "--json");
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Equal("VERIFICATION_OUTCOME_VALID", (string?)JsonNode.Parse(before.Stdout)!["outcome"]);

        var revoke = await Lct.RunAsync("hr", "card", "revoke", card, "--reason", "LEFT_DISTRICT");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());

        // Still VALID offline until the data is refreshed: the cache really is used.
        var stale = await Lct.RunAsync("agency", "verify", "--offline", "--cache", cache, qrText, "--json");
        Assert.Equal("VERIFICATION_OUTCOME_VALID", (string?)JsonNode.Parse(stale.Stdout)!["outcome"]);

        var refresh = await Lct.RunAsync("agency", "sync", "--as", "agency:HOSP_PEOPLE", "--cache", cache, "--json");
        Assert.True(refresh.ExitCode == 0, refresh.ToString());
        var after = await Lct.RunAsync("agency", "verify", "--offline", "--cache", cache, qrText, "--json");

        Assert.Equal(3, after.ExitCode);
        var json = JsonNode.Parse(after.Stdout)!;
        Assert.Equal("VERIFICATION_OUTCOME_REVOKED", (string?)json["outcome"]);
        Assert.Equal(card, (string?)json["card_number"]);
        Assert.True((long?)json["data_age_seconds"] is >= 0);
        Assert.NotNull((string?)json["data_fetched_at"]);
    }
}
