using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;
using CardTier = Lingcheng.Talent.Cards.Tier;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// SPEC §7.2 and issue 9: malformed, truncated, oversized, forged, replayed and injection-like QR
/// texts over gRPC and HTTP/JSON. Each gets its outcome (never an error, never VALID), the service
/// stays up, a genuine card still verifies, and the audit trail records every attempt and stays intact.
/// </summary>
[Collection(Collections.VerifyFuzz)]
public sealed class HostileQrTests(SecuritySystem fixture)
{
    private const int Concurrency = 8;

    [Fact]
    public async Task Random_truncated_mutated_oversized_and_injection_like_texts_over_grpc_each_get_their_outcome_and_are_audited()
    {
        var (_, genuine, _) = await fixture.IssueCardAsync();
        await fixture.VerifyUntilAsync(genuine, VerificationOutcome.Valid);
        var inputs = HostileQrTexts.Generate(SecuritySystem.Seed, genuine);
        var before = await fixture.VerificationAuditAsync();

        var failures = await RunAsync(inputs, async input =>
        {
            var reply = await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = input.Text }, fixture.AsAgency("HOSP_PEOPLE", "fuzz-grpc"));
            fixture.Answer(reply);
            return Judge(input, reply.Outcome, reply.CardNumber, reply.Benefits.Count, reply.Message);
        });

        AssertAnswered(inputs, failures, "gRPC", SecuritySystem.Seed);
        await AssertEachAuditedAndStillServingAsync(before, inputs.Count, genuine);
    }

    [Fact]
    public async Task The_same_hostile_texts_over_http_json_get_the_same_outcomes_and_are_audited()
    {
        var (_, genuine, _) = await fixture.IssueCardAsync();
        await fixture.VerifyUntilAsync(genuine, VerificationOutcome.Valid);
        var inputs = HostileQrTexts.Generate(SecuritySystem.Seed + 1, genuine).Where(i => HostileQrTexts.IsJsonSafe(i.Text)).ToList();
        var token = fixture.System.Tokens.Mint(Lingcheng.Talent.Auth.Roles.AgencyTerminal, "HOSP_PEOPLE-fuzz-json", agency: "HOSP_PEOPLE", terminal: "fuzz-json");
        fixture.Bearer(token);
        using var http = Http(token);
        var before = await fixture.VerificationAuditAsync();

        var failures = await RunAsync(inputs, async input =>
        {
            using var response = await http.PostAsync("/v1/verify", Json(new { qrText = input.Text }), TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            fixture.AgencyAnswers.Enqueue(body);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"{input.Describe()}: HTTP {(int)response.StatusCode}";
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var outcome = Enum.Parse<VerificationOutcome>(ToPascal(root.GetProperty("outcome").GetString()!["VERIFICATION_OUTCOME_".Length..]));
            var card = root.TryGetProperty("cardNumber", out var c) ? c.GetString() ?? "" : "";
            var benefits = root.TryGetProperty("benefits", out var b) ? b.GetArrayLength() : 0;
            return Judge(input, outcome, card, benefits, root.GetProperty("message").GetString() ?? "");
        });

        AssertAnswered(inputs, failures, "HTTP/JSON", SecuritySystem.Seed + 1);
        await AssertEachAuditedAndStillServingAsync(before, inputs.Count, genuine);
    }

    [Fact]
    public async Task A_request_over_the_512_KB_message_limit_is_refused_whole_and_the_service_stays_up()
    {
        var (_, genuine, _) = await fixture.IssueCardAsync();
        var huge = CardToken.Prefix + new string('A', 600 * 1024);
        var before = await fixture.VerificationAuditAsync();

        var grpc = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = huge }, fixture.AsAgency("HOSP_PEOPLE", "fuzz-huge")));
        var redeem = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Verification.RedeemAsync(
            new RedeemRequest { QrText = huge, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, fixture.AsAgency("HOSP_PEOPLE", "fuzz-huge")));
        var registry = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Registry.CreateTalentAsync(
            new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = new V1.Talent { FullName = new string('名', 300_000) } }, fixture.AsHrOfficer()));
        using var http = Http(fixture.System.Tokens.Mint(Lingcheng.Talent.Auth.Roles.AgencyTerminal, "HOSP_PEOPLE-fuzz-huge", agency: "HOSP_PEOPLE", terminal: "fuzz-huge"));
        using var json = await http.PostAsync("/v1/verify", Json(new { qrText = huge }), TestContext.Current.CancellationToken);
        var after = await fixture.VerificationAuditAsync();

        // Just under the limit it is read, and is only a QR text far too long.
        var large = CardToken.Prefix + new string('A', 480 * 1024);
        var largeGrpc = await fixture.VerifyAsync(large);
        using var largeJson = await http.PostAsync("/v1/verify", Json(new { qrText = large }), TestContext.Current.CancellationToken);

        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, redeem.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, registry.StatusCode);
        Assert.True((int)json.StatusCode is >= 400 and < 500, $"HTTP {(int)json.StatusCode} for a JSON body over the limit");
        Assert.Equal(before.RecordsChecked, after.RecordsChecked); // refused before the service read it: nothing to audit
        Assert.Equal(VerificationOutcome.Malformed, largeGrpc.Outcome);
        Assert.Equal(HttpStatusCode.OK, largeJson.StatusCode);
        Assert.Contains("VERIFICATION_OUTCOME_MALFORMED", await largeJson.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertStillServingAsync(genuine);
    }

    [Fact]
    public async Task Broken_json_bodies_are_refused_with_400_and_never_reach_the_service()
    {
        var (_, genuine, _) = await fixture.IssueCardAsync();
        var token = fixture.System.Tokens.Mint(Lingcheng.Talent.Auth.Roles.AgencyTerminal, "HOSP_PEOPLE-fuzz-body", agency: "HOSP_PEOPLE", terminal: "fuzz-body");
        fixture.Bearer(token);
        using var http = Http(token);
        string[] bodies =
        [
            "{", "}", "[]", "\"LCT1:\"", "{\"qrText\": 5}", "{\"qrText\": [\"LCT1:\"]}", "{\"qrText\": {\"$gt\": \"\"}}",
            "{\"includePhoto\": \"yes\"}", "{\"qrText\": \"LCT1:\", \"qrText\": 1}", "\0\0\0\0", "{\"qrText\": \"\\ud800\"}",
            new string('[', 10_000) + new string(']', 10_000), "{\"qrText\": \"" + new string('x', 10) + "\"" + new string(' ', 1000) + "garbage",
        ];
        var before = await fixture.VerificationAuditAsync();

        var statuses = new List<(string Body, HttpStatusCode Status)>();
        foreach (var body in bodies)
        {
            using var response = await http.PostAsync("/v1/verify", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            fixture.AgencyAnswers.Enqueue(text);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
            statuses.Add((body.Length > 40 ? body[..40] + "…" : body, response.StatusCode));
        }

        var after = await fixture.VerificationAuditAsync();
        Assert.All(statuses, s => Assert.True(s.Status == HttpStatusCode.BadRequest, $"'{s.Body}': HTTP {(int)s.Status}"));
        Assert.Equal(before.RecordsChecked, after.RecordsChecked);
        await AssertStillServingAsync(genuine);
    }

    [Fact]
    public async Task A_json_error_carries_its_status_and_the_bad_field_instead_of_an_empty_500()
    {
        var token = fixture.System.Tokens.Mint(Lingcheng.Talent.Auth.Roles.AgencyTerminal, "HOSP_PEOPLE-fuzz-json-error", agency: "HOSP_PEOPLE", terminal: "fuzz-json-error");
        fixture.Bearer(token);
        using var http = Http(token);

        using var response = await http.PostAsync("/v1/redeem", Json(new { qrText = "LCT1:", benefitCode = "annual'--", redemptionId = "rd 1" }), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        fixture.AgencyAnswers.Enqueue(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(3, json.RootElement.GetProperty("code").GetInt32());
        Assert.Contains("benefit_code", body, StringComparison.Ordinal);
        Assert.Contains("redemption_id", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_by_a_key_off_the_trust_list_is_unknown_key_names_no_card_and_is_audited()
    {
        var (card, genuine, _) = await fixture.IssueCardAsync();
        using var foreign = SigningKey.Generate(DateTimeOffset.UtcNow.AddDays(-1));
        var forged = Forge(foreign, card.CardNumber, card.CardVersion);
        var before = await fixture.VerificationAuditAsync();

        var reply = await fixture.VerifyAsync(forged);
        var redeem = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = forged, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, fixture.AsAgency("HOSP_PEOPLE"));
        fixture.Answer(redeem);
        var after = await fixture.VerificationAuditAsync();
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor());

        Assert.Equal(VerificationOutcome.UnknownKey, reply.Outcome);
        Assert.Equal("", reply.CardNumber);
        Assert.Equal("", reply.HolderDisplayName);
        Assert.Empty(reply.Benefits);
        Assert.Equal(RedemptionStatus.VerificationFailed, redeem.Status);
        Assert.Equal(VerificationOutcome.UnknownKey, redeem.Outcome);
        Assert.Empty(history.Redemptions);
        Assert.Equal(before.RecordsChecked + 2, after.RecordsChecked);
        await AssertStillServingAsync(genuine);
    }

    [Fact]
    public async Task A_forged_token_that_claims_the_registrys_key_id_is_signature_invalid()
    {
        var (card, genuine, _) = await fixture.IssueCardAsync();
        var trusted = (await fixture.Registry.GetTrustListAsync(new GetTrustListRequest(), fixture.AsAuditor())).Keys[0];
        using var foreign = SigningKey.Generate(DateTimeOffset.UtcNow.AddDays(-1));
        var forged = Forge(foreign, card.CardNumber, card.CardVersion);
        Assert.True(Base45.TryDecode(forged.AsSpan(CardToken.Prefix.Length), out var bytes));
        var at = bytes.AsSpan().IndexOf(foreign.Kid);
        Assert.True(at > 0, "the kid is in the protected header");
        Convert.FromHexString(trusted.Kid).CopyTo(bytes, at);
        var impostor = CardToken.Prefix + Base45.Encode(bytes);

        var reply = await fixture.VerifyAsync(impostor);

        Assert.Equal(VerificationOutcome.SignatureInvalid, reply.Outcome);
        Assert.Equal("", reply.CardNumber);
        Assert.Empty(reply.Benefits);
        await AssertStillServingAsync(genuine);
    }

    [Fact]
    public async Task A_phone_token_replayed_after_it_expired_is_token_expired_and_the_holder_sees_the_attempt()
    {
        var (card, genuine, _) = await fixture.IssueCardAsync();
        var phone = await fixture.Registry.IssueDynamicTokenAsync(new IssueDynamicTokenRequest { CardNumber = card.CardNumber }, fixture.AsTalent(card.CardNumber));
        fixture.RememberQr(phone.QrText);

        // The replica whose clock runs ten minutes ahead sees the same token long after its 120 s.
        var now = await fixture.VerifyUntilAsync(phone.QrText, VerificationOutcome.Valid);
        var replayed = await fixture.VerifyUntilAsync(phone.QrText, VerificationOutcome.TokenExpired, fixture.Later);
        var redeem = await fixture.Later.RedeemAsync(new RedeemRequest { QrText = phone.QrText, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, fixture.AsAgency("HOSP_PEOPLE"));
        fixture.Answer(redeem);
        var seenByHolder = await fixture.Later.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card.CardNumber }, fixture.AsTalent(card.CardNumber));
        var audit = await fixture.VerificationAuditAsync(fixture.Later);

        Assert.Equal(VerificationOutcome.Valid, now.Outcome);
        Assert.Equal(VerificationOutcome.TokenExpired, replayed.Outcome);
        Assert.Empty(replayed.Benefits);
        Assert.Equal(RedemptionStatus.VerificationFailed, redeem.Status);
        Assert.Contains(seenByHolder.Verifications, v => v.Outcome == VerificationOutcome.TokenExpired && v.AgencyCode == "HOSP_PEOPLE" && v.Action == "VERIFY");
        Assert.Contains(seenByHolder.Verifications, v => v.Outcome == VerificationOutcome.TokenExpired && v.Action == "REDEEM");
        Assert.True(audit.Intact, audit.Detail);
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyAsync(genuine, client: fixture.Later)).Outcome); // the printed card is still good there
    }

    [Fact]
    public async Task A_card_token_replayed_after_a_reissue_is_superseded_and_after_a_revocation_revoked()
    {
        var (card, oldQr, _) = await fixture.IssueCardAsync();
        var reissued = await fixture.Registry.ReissueCardAsync(new ReissueCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = "lost" }, fixture.AsHrOfficer());
        fixture.RememberQr(reissued.QrText);

        var superseded = await fixture.VerifyUntilAsync(oldQr, VerificationOutcome.Superseded);
        var redeemOld = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = oldQr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, fixture.AsAgency("HOSP_PEOPLE"));
        fixture.Answer(redeemOld);
        var current = await fixture.VerifyAsync(reissued.QrText);
        await fixture.Registry.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Reason = RevocationReason.Misconduct }, fixture.AsHrOfficer());
        var revoked = await fixture.VerifyUntilAsync(reissued.QrText, VerificationOutcome.Revoked);
        var seenByHolder = await fixture.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card.CardNumber }, fixture.AsTalent(card.CardNumber));
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor());

        Assert.Equal(VerificationOutcome.Superseded, superseded.Outcome);
        Assert.Empty(superseded.Benefits);
        Assert.Equal(RedemptionStatus.VerificationFailed, redeemOld.Status);
        Assert.Equal(VerificationOutcome.Valid, current.Outcome);
        Assert.Equal(VerificationOutcome.Revoked, revoked.Outcome);
        Assert.Empty(history.Redemptions);
        Assert.Contains(seenByHolder.Verifications, v => v.Outcome == VerificationOutcome.Superseded);
        Assert.Contains(seenByHolder.Verifications, v => v.Outcome == VerificationOutcome.Revoked);
    }

    [Fact]
    public async Task Redeem_with_hostile_qr_texts_records_nothing_and_audits_every_attempt()
    {
        var (card, genuine, _) = await fixture.IssueCardAsync();
        await fixture.VerifyUntilAsync(genuine, VerificationOutcome.Valid);
        var inputs = HostileQrTexts.Generate(SecuritySystem.Seed + 2, genuine)
            .Where(i => i.Text.Length is > 0 and <= HostileQrTexts.MaxQrTextLength && !string.IsNullOrWhiteSpace(i.Text))
            .Where((_, n) => n % 4 == 0)
            .ToList();
        var before = await fixture.VerificationAuditAsync();
        var entitlementsBefore = await fixture.EntitlementsAuditAsync();

        var failures = await RunAsync(inputs, async input =>
        {
            var reply = await fixture.Verification.RedeemAsync(new RedeemRequest
            {
                QrText = input.Text,
                BenefitCode = "ANNUAL_HEALTH_CHECK",
                RedemptionId = "rd-fuzz-" + input.Category + "-" + input.Index,
            }, fixture.AsAgency("HOSP_PEOPLE", "fuzz-redeem"));
            fixture.Answer(reply);
            return reply.Status == RedemptionStatus.VerificationFailed && input.Expected.Contains(reply.Outcome) && reply.Redemption is null
                ? null
                : $"{input.Describe()}: {reply.Status}/{reply.Outcome}";
        });

        var entitlementsAfter = await fixture.EntitlementsAuditAsync();
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor());
        AssertAnswered(inputs, failures, "Redeem over gRPC", SecuritySystem.Seed + 2);
        Assert.Equal(entitlementsBefore.RecordsChecked, entitlementsAfter.RecordsChecked); // never reached the entitlement service
        Assert.Empty(history.Redemptions);
        await AssertEachAuditedAndStillServingAsync(before, inputs.Count, genuine);
    }

    /// <summary>Null when the answer is right for the input, else why not.</summary>
    private static string? Judge(HostileText input, VerificationOutcome outcome, string cardNumber, int benefits, string message)
    {
        if (!input.Expected.Contains(outcome))
        {
            return $"{input.Describe()}: {outcome}, expected {string.Join(" or ", input.Expected)}";
        }

        if (cardNumber.Length > 0 || benefits > 0)
        {
            return $"{input.Describe()}: an unverified token named card '{cardNumber}' or showed {benefits} benefits";
        }

        if (message.Length == 0 || message.Contains("Exception", StringComparison.Ordinal) || message.Contains("   at ", StringComparison.Ordinal))
        {
            return $"{input.Describe()}: message '{message}'";
        }

        return null;
    }

    /// <summary>Runs the inputs a few at a time; returns the failures.</summary>
    private static async Task<List<string>> RunAsync(IReadOnlyList<HostileText> inputs, Func<HostileText, Task<string?>> check)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(inputs, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = TestContext.Current.CancellationToken }, async (input, _) =>
        {
            try
            {
                if (await check(input) is { } failure)
                {
                    failures.Add(failure);
                }
            }
            catch (Exception ex) when (ex is RpcException or HttpRequestException or JsonException)
            {
                failures.Add($"{input.Describe()}: {ex.GetType().Name} {(ex as RpcException)?.StatusCode} {ex.Message}");
            }
        });
        return [.. failures.Order(StringComparer.Ordinal)];
    }

    /// <summary>Reports what was sent, and fails with the first 40 wrong answers and the seed that reproduces them.</summary>
    private static void AssertAnswered(IReadOnlyList<HostileText> inputs, List<string> failures, string transport, int seed)
    {
        TestContext.Current.SendDiagnosticMessage($"{transport}: {inputs.Count} hostile texts (seed {seed}): "
            + string.Join(", ", inputs.GroupBy(i => i.Category).Select(g => $"{g.Key} {g.Count()}")));
        Assert.True(failures.Count == 0, $"seed {seed}:\n" + string.Join("\n", failures.Take(40)));
    }

    /// <summary>One more intact audit record for each input, and everything still serving.</summary>
    private async Task AssertEachAuditedAndStillServingAsync(AuditChainReport before, int inputs, string genuineQr)
    {
        var after = await fixture.VerificationAuditAsync();
        Assert.True(after.Intact, after.Detail);
        Assert.Equal(before.RecordsChecked + inputs, after.RecordsChecked);
        await AssertStillServingAsync(genuineQr);
    }

    /// <summary>Every service answers its health check, and a genuine card still verifies VALID.</summary>
    private async Task AssertStillServingAsync(string genuineQr)
    {
        Assert.All(await fixture.HealthAsync(), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, s));
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyAsync(genuineQr)).Outcome);
    }

    private static string Forge(SigningKey key, string cardNumber, int version)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return CardTokenIssuer.Issue(key, new CardTokenClaims(CardToken.Issuer, cardNumber, now.AddYears(1), null, now, RandomNumberGenerator.GetBytes(8),
            version, CardTier.A, "王*明", TokenKind.Static));
    }

    private HttpClient Http(string token)
    {
        fixture.Bearer(token);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.System.VerificationJsonPort}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static string ToPascal(string upperSnake) =>
        string.Concat(upperSnake.Split('_').Select(p => p[..1] + p[1..].ToLowerInvariant()));
}
