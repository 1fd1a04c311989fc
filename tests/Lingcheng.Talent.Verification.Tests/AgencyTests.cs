using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Google.Rpc;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>What an agency terminal may see and do: its own benefits, redemption, JSON, roles, limits.</summary>
[Collection(SharedSystem.Name)]
public sealed class AgencyTests(SharedVerificationSystem fixture)
{
    private TalentSystem System => fixture.System;

    [Fact]
    public async Task Each_agency_sees_only_the_benefits_it_provides()
    {
        var (_, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);

        var hospital = await fixture.VerifyAsync(qr, "HOSP_PEOPLE");
        var education = await fixture.VerifyAsync(qr, "EDU");

        Assert.Equal(["ANNUAL_HEALTH_CHECK", "MEDICAL_GREEN_CHANNEL"], hospital.Benefits.Select(b => b.BenefitCode).Order());
        Assert.Equal(["CHILD_KINDERGARTEN", "CHILD_SCHOOL_ENROLMENT", "SPORTS_CULTURE_VENUES"], education.Benefits.Select(b => b.BenefitCode).Order());
        Assert.All(hospital.Benefits.Concat(education.Benefits), b => Assert.True(b.Eligible));
    }

    [Fact]
    public async Task A_token_naming_no_participating_agency_is_permission_denied()
    {
        var (_, qr, _) = await fixture.IssueCardAsync();
        var token = System.Tokens.Mint(Lingcheng.Talent.Auth.Roles.AgencyTerminal, "rogue", agency: "NOT_AN_AGENCY", terminal: "t1");

        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, TalentSystem.Bearer(token)).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task An_agency_token_cannot_call_hr_only_rpcs()
    {
        var (card, _, _) = await fixture.IssueCardAsync();
        var agency = System.AsAgency("HOSP_PEOPLE");

        var revoke = await Assert.ThrowsAsync<RpcException>(() => fixture.Registry.RevokeCardAsync(new RevokeCardRequest
        {
            RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Reason = RevocationReason.Misconduct,
        }, agency).ResponseAsync);
        var chain = await Assert.ThrowsAsync<RpcException>(() => fixture.Verification.VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), agency).ResponseAsync);
        var list = await Assert.ThrowsAsync<RpcException>(() => fixture.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card.CardNumber }, agency).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, revoke.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, chain.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
    }

    [Fact]
    public async Task The_json_endpoint_gives_the_same_answer_as_grpc_with_the_same_auth()
    {
        var (card, qr, _) = await fixture.IssueCardAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.JsonPort}") };
        var agencyToken = System.Tokens.Mint(Lingcheng.Talent.Auth.Roles.AgencyTerminal, "HOSP_PEOPLE-json", agency: "HOSP_PEOPLE", terminal: "json-1");

        var grpc = await fixture.VerifyAsync(qr);
        using var ok = await Post(http, "/v1/verify", new { qrText = qr }, agencyToken);
        using var bad = await Post(http, "/v1/verify", new { qrText = "garbage" }, agencyToken);
        using var anonymous = await Post(http, "/v1/verify", new { qrText = qr }, null);
        using var wrongRole = await Post(http, "/v1/verify", new { qrText = qr }, System.Tokens.Mint(Lingcheng.Talent.Auth.Roles.HrOfficer, "hr"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var json = JsonDocument.Parse(await ok.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("VERIFICATION_OUTCOME_VALID", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(grpc.CardNumber, json.RootElement.GetProperty("cardNumber").GetString());
        Assert.Equal(card.CardNumber, json.RootElement.GetProperty("cardNumber").GetString());
        Assert.Equal(grpc.Benefits.Count, json.RootElement.GetProperty("benefits").GetArrayLength());
        using var badJson = JsonDocument.Parse(await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("VERIFICATION_OUTCOME_MALFORMED", badJson.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
    }

    [Fact]
    public async Task Redeem_records_one_use_and_a_repeat_with_the_same_id_records_nothing_new()
    {
        var (card, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);
        var agency = System.AsAgency("HOSP_PEOPLE", "desk-redeem");
        var request = new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") };

        var first = await fixture.Verification.RedeemAsync(request, agency);
        var repeat = await fixture.Verification.RedeemAsync(request, agency);
        var second = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, agency);
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, System.AsAuditor());

        Assert.Equal(RedemptionStatus.Redeemed, first.Status);
        Assert.Equal(VerificationOutcome.Valid, first.Outcome);
        Assert.Equal("HOSP_PEOPLE", first.Redemption.AgencyCode);
        Assert.Equal("desk-redeem", first.Redemption.TerminalId);
        Assert.StartsWith("Recorded", first.Message);
        Assert.Equal(RedemptionStatus.AlreadyRedeemed, repeat.Status);
        Assert.Equal(RedemptionStatus.QuotaExhausted, second.Status);
        Assert.Single(history.Redemptions);
    }

    [Fact]
    public async Task Redeem_with_a_bad_qr_is_verification_failed_and_records_nothing()
    {
        var (card, qr, _) = await fixture.IssueCardAsync();

        var reply = await fixture.Verification.RedeemAsync(new RedeemRequest
        {
            QrText = VerificationSystem.Tamper(qr), BenefitCode = "MEDICAL_GREEN_CHANNEL", RedemptionId = "rd-" + Guid.NewGuid().ToString("N"),
        }, System.AsAgency("HOSP_PEOPLE"));
        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, System.AsAuditor());

        Assert.Equal(RedemptionStatus.VerificationFailed, reply.Status);
        Assert.Equal(VerificationOutcome.SignatureInvalid, reply.Outcome);
        Assert.Empty(history.Redemptions);
    }

    [Fact]
    public async Task Redeem_with_missing_fields_is_invalid_argument_naming_each_field()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Verification.RedeemAsync(new RedeemRequest(), System.AsAgency("HOSP_PEOPLE")).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var fields = ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(f => f.Field).ToHashSet();
        Assert.Equal(new HashSet<string> { "qr_text", "benefit_code", "redemption_id" }, fields);
    }

    [Fact]
    public async Task An_agency_can_cancel_its_own_redemption_and_the_quota_comes_back()
    {
        var (_, qr, _) = await fixture.IssueCardAsync(V1.Tier.A);
        var agency = System.AsAgency("HOSP_TCM", "desk-cancel");
        var id = "rd-" + Guid.NewGuid().ToString("N");
        await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = id }, agency);

        var cancelled = await fixture.Verification.CancelRedemptionAsync(new CancelRedemptionRequest { RedemptionId = id, Reason = "wrong patient" }, agency);
        var again = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, agency);

        Assert.True(cancelled.Redemption.Cancelled);
        Assert.Equal(RedemptionStatus.Redeemed, again.Status);
    }

    [Fact]
    public async Task The_holder_sees_who_verified_their_card_and_nobody_else_may()
    {
        var (card, qr, _) = await fixture.IssueCardAsync();
        var (other, _, _) = await fixture.IssueCardAsync();
        await fixture.VerifyAsync(qr, "PSB");
        await fixture.VerifyAsync(VerificationSystem.Tamper(qr), "TAX"); // a forged copy must not show up in the holder's list

        var own = await fixture.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card.CardNumber }, System.AsTalent(card.CardNumber));
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card.CardNumber }, System.AsTalent(other.CardNumber)).ResponseAsync);

        var entry = Assert.Single(own.Verifications);
        Assert.Equal("PSB", entry.AgencyCode);
        Assert.Equal("德州市公安局陵城分局", entry.AgencyName);
        Assert.Equal(VerificationOutcome.Valid, entry.Outcome);
        Assert.Equal("VERIFY", entry.Action);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task Every_agency_of_the_alliance_is_listed_to_any_role_and_the_server_time_is_given()
    {
        var agencies = await fixture.Verification.ListAgenciesAsync(new ListAgenciesRequest { PageSize = 200 }, System.AsTalent("LC260002310"));
        var time = await fixture.Verification.GetServerTimeAsync(new GetServerTimeRequest(), System.AsAgency("EDU"));

        Assert.Equal(18, agencies.Agencies.Count);
        Assert.Contains(agencies.Agencies, a => a.Code == "HOSP_PEOPLE" && a.Name == "陵城区人民医院" && a.Active);
        Assert.InRange(time.ServerTime.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(10));
    }

    [Fact]
    public async Task ListAgencies_pages_with_opaque_tokens_coerces_a_large_page_size_and_refuses_a_raw_offset()
    {
        var caller = System.AsTalent("LC260002310");
        var codes = new List<string>();
        var token = "";
        do
        {
            var page = await fixture.Verification.ListAgenciesAsync(new ListAgenciesRequest { PageSize = 5, PageToken = token }, caller);
            codes.AddRange(page.Agencies.Select(a => a.Code));
            token = page.NextPageToken;
            Assert.False(int.TryParse(token, out _), "a page token is opaque, not an offset");
        }
        while (token.Length > 0);

        Assert.Equal(18, codes.Distinct().Count());
        Assert.Equal(18, (await fixture.Verification.ListAgenciesAsync(new ListAgenciesRequest { PageSize = 1000 }, caller)).Agencies.Count);

        foreach (var (size, pageToken, field) in new[] { (-1, "", "page_size"), (5, "5", "page_token") })
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Verification.ListAgenciesAsync(new ListAgenciesRequest { PageSize = size, PageToken = pageToken }, caller));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Equal([field], ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(f => f.Field));
        }
    }

    [Fact]
    public async Task A_terminal_over_its_rate_limit_gets_resource_exhausted_while_other_terminals_go_on()
    {
        var (_, qr, _) = await fixture.IssueCardAsync();
        var busy = System.AsAgency("TRANSPORT", "gate-flood");

        var calls = Enumerable.Range(0, 250).Select(async _ =>
        {
            try
            {
                await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = "x" }, busy);
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        });
        var results = await Task.WhenAll(calls);
        var other = await fixture.VerifyAsync(qr, "TRANSPORT", "gate-quiet");

        Assert.Contains(StatusCode.ResourceExhausted, results);
        Assert.Contains(StatusCode.OK, results);
        Assert.Equal(VerificationOutcome.Valid, other.Outcome);
    }

    [Fact]
    public async Task The_audit_chain_of_every_verify_is_intact()
    {
        var (_, qr, _) = await fixture.IssueCardAsync();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => fixture.VerifyAsync(i % 2 == 0 ? qr : "junk", "CULTOUR", "gate-" + (i % 4))));

        var report = (await fixture.Verification.VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), System.AsAuditor())).Report;

        Assert.True(report.Intact, report.Detail);
        Assert.True(report.RecordsChecked >= 40);
    }

    private static async Task<HttpResponseMessage> Post(HttpClient http, string path, object body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }
}
