using System.Globalization;
using Google.Protobuf;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>
/// The idempotency store holds no live token and forgets old rows (issue 25, item 8). Each test has
/// its own registry, as they read its stored rows and one runs with a short retention.
/// </summary>
public sealed class IdempotencyStoreTests
{
    [Fact]
    public async Task Stored_responses_keep_no_qr_text_and_a_retry_still_gets_a_valid_token()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: RegistryFixture.Settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var hr = system.AsHrOfficer();
        var talent = await client.CreateTalentAsync(system);
        var issue = new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId };
        var issued = await client.IssueCardAsync(issue, hr);
        var number = issued.Card.CardNumber;
        var renewed = await client.RenewCardAsync(new RenewCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number }, hr);
        var reissued = await client.ReissueCardAsync(new ReissueCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number }, hr);
        Assert.All(new[] { issued.QrText, renewed.QrText, reissued.QrText }, qr => Assert.StartsWith("LCT1:", qr));

        var stored = StoredResponses(system);
        Assert.Empty(IssueCardResponse.Parser.ParseFrom(stored["IssueCard"]).QrText);
        Assert.Empty(RenewCardResponse.Parser.ParseFrom(stored["RenewCard"]).QrText);
        Assert.Empty(ReissueCardResponse.Parser.ParseFrom(stored["ReissueCard"]).QrText);
        foreach (var bytes in stored.Values)
        {
            Assert.True(bytes.AsSpan().IndexOf("LCT1:"u8) < 0, "a token is stored in the idempotency table");
        }

        // A retry answers the first result with a freshly signed token of the card as it is now.
        var retried = await client.IssueCardAsync(issue, hr);
        Assert.Equal(issued.Card, retried.Card);
        var trust = await client.GetTrustListAsync(new GetTrustListRequest(), hr);
        var list = new TrustList(trust.Keys.Select(k => new Cards.TrustedKey(k.SubjectPublicKeyInfo.Span, k.ValidFrom.ToDateTimeOffset(), k.ValidUntil?.ToDateTimeOffset(), (TrustedKeyStatus)k.Status)));
        var check = new CardTokenVerifier(TimeProvider.System).Verify(retried.QrText, list);
        Assert.Equal(TokenOutcome.Valid, check.Outcome);
        Assert.Equal(2, check.Claims!.CardVersion);
    }

    [Fact]
    public async Task Idempotency_rows_older_than_the_retention_are_purged_and_newer_ones_kept()
    {
        var settings = RegistryFixture.Settings;
        settings["Registry__IdempotencyRetention"] = "01:00:00";
        settings["Registry__IdempotencyPurgeInterval"] = "00:00:00.200";
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var old = new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() };
        var fresh = new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() };
        await client.CreateTalentAsync(old, system.AsHrOfficer());
        await client.CreateTalentAsync(fresh, system.AsHrOfficer());

        var twoHoursAgo = DateTimeOffset.UtcNow.AddHours(-2).ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
        Assert.Equal(1, RegistryCalls.Execute(system, "UPDATE IdempotencyRecords SET CreatedAt = $at WHERE RequestId = $id", ("$at", twoHoursAgo), ("$id", old.RequestId)));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (RequestIds(system).Contains(old.RequestId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var left = RequestIds(system);
        Assert.DoesNotContain(old.RequestId, left);
        Assert.Contains(fresh.RequestId, left);
    }

    private static Dictionary<string, byte[]> StoredResponses(TalentSystem system)
    {
        using var connection = RegistryCalls.OpenDatabase(system);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Operation, Response FROM IdempotencyRecords";
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<string, byte[]>();
        while (reader.Read())
        {
            rows[reader.GetString(0)] = (byte[])reader.GetValue(1);
        }

        return rows;
    }

    private static List<string> RequestIds(TalentSystem system)
    {
        using var connection = RegistryCalls.OpenDatabase(system);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT RequestId FROM IdempotencyRecords";
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
