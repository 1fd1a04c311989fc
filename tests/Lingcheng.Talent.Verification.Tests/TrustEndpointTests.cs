using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Client.Offline;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// <c>GET /v1/trust-list</c> and <c>GET /v1/revocation-snapshot</c> on the JSON door, against the
/// registry's own gRPC answers: same keys, same signed snapshot content, caching headers, 304, the
/// status of a missing or bad <c>since</c>, and who may read what.
/// </summary>
[Collection(SharedSystem.Name)]
public sealed class TrustEndpointTests(SharedVerificationSystem fixture) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{fixture.JsonPort}") };

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private TalentSystem System => fixture.System;

    [Fact]
    public async Task The_trust_list_over_json_holds_the_keys_of_the_registry_grpc_call_with_an_etag_and_cache_control()
    {
        var grpc = await fixture.Registry.GetTrustListAsync(new GetTrustListRequest(), System.AsService());

        using var response = await GetTrustListAsync();
        var body = await response.Content.ReadAsByteArrayAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.CacheControl?.MaxAge);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));

        using var json = JsonDocument.Parse(body);
        Assert.Equal(grpc.Issuer, json.RootElement.GetProperty("issuer").GetString());
        var keys = json.RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(grpc.Keys);
        Assert.Equal(grpc.Keys.Count, keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var expected = grpc.Keys[i];
            Assert.Equal(expected.Kid, keys[i].GetProperty("kid").GetString());
            Assert.Equal(expected.SubjectPublicKeyInfo.ToBase64(), keys[i].GetProperty("subjectPublicKeyInfo").GetString());
            Assert.Equal(TrustListJson.FormatTime(expected.ValidFrom.ToDateTimeOffset()), keys[i].GetProperty("validFrom").GetString());
            Assert.Equal(expected.ValidUntil is null ? null : TrustListJson.FormatTime(expected.ValidUntil.ToDateTimeOffset()), keys[i].GetProperty("validUntil").GetString());
            Assert.Equal(expected.Status.ToString().ToUpperInvariant(), keys[i].GetProperty("status").GetString());
        }

        // And as a verifier reads them: the same trust list the SDK builds from the gRPC answer.
        Assert.Equal(OfflineVerificationCache.ToTrustList(grpc).ToArray(), TrustListJson.Parse(body, out _).ToArray());
    }

    [Fact]
    public async Task A_matching_if_none_match_is_answered_304_with_the_same_validators_and_any_other_gets_the_list()
    {
        using var first = await GetTrustListAsync();
        var etag = first.Headers.ETag!.Tag;

        using var same = await GetTrustListAsync(etag);
        using var weak = await GetTrustListAsync("W/" + etag);
        using var oneOfSeveral = await GetTrustListAsync("\"0123\", " + etag);
        using var any = await GetTrustListAsync("*");
        using var other = await GetTrustListAsync("\"0123456789abcdef\"");
        using var garbage = await GetTrustListAsync("not an entity tag");

        foreach (var notModified in new[] { same, weak, oneOfSeveral, any })
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Cancel));
            Assert.Equal(etag, notModified.Headers.ETag?.Tag);
            Assert.Equal(TimeSpan.FromSeconds(60), notModified.Headers.CacheControl?.MaxAge);
        }

        foreach (var full in new[] { other, garbage })
        {
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
            Assert.Equal(await first.Content.ReadAsByteArrayAsync(Cancel), await full.Content.ReadAsByteArrayAsync(Cancel));
            Assert.Equal(etag, full.Headers.ETag?.Tag);
        }
    }

    [Fact]
    public async Task The_revocation_snapshot_over_json_is_the_registry_snapshot_and_verifies_with_the_same_trust_list()
    {
        var revoked = await RevokeNewCardAsync();
        var trust = await TrustListAsync();

        var grpc = await fixture.Registry.GetRevocationSnapshotAsync(new GetRevocationSnapshotRequest(), System.AsAgency("HOSP_PEOPLE", "snapshot-grpc"));
        using var response = await GetSnapshotAsync("", AgencyToken());
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        using (var raw = JsonDocument.Parse(text))
        {
            // Every field is written, defaults too.
            Assert.False(raw.RootElement.GetProperty("isDelta").GetBoolean());
            Assert.Equal(grpc.Sequence.ToString(global::System.Globalization.CultureInfo.InvariantCulture), raw.RootElement.GetProperty("sequence").GetString());
        }

        var json = JsonParser.Default.Parse<GetRevocationSnapshotResponse>(text);
        Assert.Equal(grpc.Sequence, json.Sequence);
        Assert.False(json.IsDelta);
        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(json.Snapshot.ToByteArray(), trust, out var fromJson));
        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(grpc.Snapshot.ToByteArray(), trust, out var fromGrpc));
        Assert.Equal(fromGrpc!.Sequence, fromJson!.Sequence);
        Assert.Null(fromJson.FromSequence);
        Assert.Equal(fromGrpc.Entries, fromJson.Entries);
        Assert.Contains(new RevocationEntry(revoked, RevocationStatus.Revoked, 1), fromJson.Entries);
    }

    [Fact]
    public async Task A_delta_since_a_held_sequence_holds_the_later_changes_like_the_grpc_delta()
    {
        // At least one event first: since=0 asks for a full snapshot, not a delta.
        await RevokeNewCardAsync();
        var trust = await TrustListAsync();
        var held = await SnapshotAsync("", trust);
        Assert.False(held.IsDelta);
        Assert.True(held.Sequence > 0);

        var suspended = await SuspendNewCardAsync();
        using var response = await GetSnapshotAsync("?since=" + held.Sequence, AgencyToken());
        var json = JsonParser.Default.Parse<GetRevocationSnapshotResponse>(await response.Content.ReadAsStringAsync(Cancel));
        var grpc = await fixture.Registry.GetRevocationSnapshotAsync(new GetRevocationSnapshotRequest { SinceSequence = held.Sequence }, System.AsService());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(json.IsDelta);
        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(json.Snapshot.ToByteArray(), trust, out var delta));
        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(grpc.Snapshot.ToByteArray(), trust, out var grpcDelta));
        Assert.Equal(held.Sequence, delta!.FromSequence);
        Assert.Equal(grpcDelta!.Entries, delta.Entries);
        Assert.Equal(new[] { new RevocationEntry(suspended, RevocationStatus.Suspended, 1) }, delta.Entries);
        Assert.True(held.Apply(delta).TryGetEntry(suspended, out var entry));
        Assert.Equal(RevocationStatus.Suspended, entry.Status);
    }

    [Theory]
    [InlineData("?since=abc")]
    [InlineData("?since=-1")]
    [InlineData("?since=1.5")]
    [InlineData("?since=")]
    [InlineData("?since=%2B1")]
    [InlineData("?since=%201")]
    [InlineData("?since=99999999999999999999")]
    [InlineData("?since=1&since=2")]
    public async Task A_bad_since_is_a_400_problem_that_names_since(string query)
    {
        using var response = await GetSnapshotAsync(query, AgencyToken());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblemAsync(response, 400, "since");
    }

    [Fact]
    public async Task A_since_beyond_the_latest_sequence_is_a_400_problem_and_a_missing_or_zero_since_a_full_snapshot()
    {
        var trust = await TrustListAsync();
        var full = await SnapshotAsync("", trust);
        var zero = await SnapshotAsync("?since=0", trust);

        using var beyond = await GetSnapshotAsync("?since=" + (full.Sequence + 1000), AgencyToken());

        Assert.False(full.IsDelta);
        Assert.False(zero.IsDelta);
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
        var detail = await AssertProblemAsync(beyond, 400, "since");
        Assert.Contains("latest event sequence", detail);
    }

    [Fact]
    public async Task The_snapshot_needs_a_token_of_a_role_that_may_read_it_while_the_trust_list_needs_none()
    {
        using var anonymous = await GetSnapshotAsync("", token: null);
        using var broken = await GetSnapshotAsync("", AgencyToken() + "x");
        using var talent = await GetSnapshotAsync("", System.Tokens.Mint(Roles.Talent, "talent-x", card: CardNumber.Create(26, 1)));
        using var strangeAgency = await GetSnapshotAsync("", System.Tokens.Mint(Roles.AgencyTerminal, "rogue", agency: "NOT_AN_AGENCY", terminal: "t1"));
        using var hr = await GetSnapshotAsync("", System.Tokens.Mint(Roles.HrOfficer, "hr-officer-1"));
        using var auditor = await GetSnapshotAsync("", System.Tokens.Mint(Roles.Auditor, "org-auditor-1"));
        using var agency = await GetSnapshotAsync("", AgencyToken());
        using var trustList = await GetTrustListAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, broken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, talent.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, strangeAgency.StatusCode);
        await AssertProblemAsync(strangeAgency, 403, null);
        Assert.Equal(HttpStatusCode.OK, hr.StatusCode);
        Assert.Equal(HttpStatusCode.OK, auditor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, agency.StatusCode);
        Assert.Equal(HttpStatusCode.OK, trustList.StatusCode);
    }

    public void Dispose() => _http.Dispose();

    private string AgencyToken() => System.Tokens.Mint(Roles.AgencyTerminal, "HOSP_PEOPLE-snapshot", agency: "HOSP_PEOPLE", terminal: "snapshot-json");

    /// <summary>GET /v1/trust-list, anonymous; retried while the service has not loaded its list yet (503).</summary>
    private async Task<HttpResponseMessage> GetTrustListAsync(string? ifNoneMatch = null)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/trust-list");
            if (ifNoneMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            }

            var response = await _http.SendAsync(request, Cancel);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > until)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100, Cancel);
        }
    }

    private async Task<HttpResponseMessage> GetSnapshotAsync(string query, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/revocation-snapshot" + query);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request, Cancel);
    }

    private async Task<RevocationSnapshot> SnapshotAsync(string query, TrustList trust)
    {
        using var response = await GetSnapshotAsync(query, AgencyToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonParser.Default.Parse<GetRevocationSnapshotResponse>(await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(json.Snapshot.ToByteArray(), trust, out var snapshot));
        return snapshot!;
    }

    private async Task<TrustList> TrustListAsync() =>
        OfflineVerificationCache.ToTrustList(await fixture.Registry.GetTrustListAsync(new GetTrustListRequest(), System.AsService()));

    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, int status, string? parameter)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()));
        var detail = problem.RootElement.GetProperty("detail").GetString()!;
        if (parameter is not null)
        {
            Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
            Assert.Contains(parameter, detail);
        }

        return detail;
    }

    private async Task<string> RevokeNewCardAsync()
    {
        var (card, _, _) = await fixture.IssueCardAsync();
        await fixture.Registry.RevokeCardAsync(new RevokeCardRequest
        {
            RequestId = SyntheticData.RequestId(),
            CardNumber = card.CardNumber,
            Reason = RevocationReason.LeftDistrict,
            Note = "moved away",
        }, System.AsHrOfficer());
        return card.CardNumber;
    }

    private async Task<string> SuspendNewCardAsync()
    {
        var (card, _, _) = await fixture.IssueCardAsync();
        await fixture.Registry.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = "under review" }, System.AsHrOfficer());
        return card.CardNumber;
    }
}
