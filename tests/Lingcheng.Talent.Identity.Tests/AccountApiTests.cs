using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Lingcheng.Talent.Identity.Tests;

/// <summary>
/// The account API: bad input names its field and creates nothing; auditors read but cannot change;
/// desks and anonymous callers get nothing; a talent code is only for a card the registry knows; the
/// audit chain holds every change, stays intact and never a password.
/// </summary>
public sealed class AccountApiTests(IdentitySystem idp)
{
    [Fact]
    public async Task Bad_input_names_each_field_and_creates_nothing()
    {
        using var api = idp.Api(await idp.HrTokenAsync());
        var name = "desk-bad" + Guid.NewGuid().ToString("N")[..6];
        var response = await api.PostAsJsonAsync("api/accounts", new { userName = name, role = "agency_terminal", agency = "NOPE", terminal = "" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("agency", out _));
        Assert.True(errors.TryGetProperty("terminal", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"api/accounts/{name}")).StatusCode);

        var badName = await api.PostAsJsonAsync("api/accounts", new { userName = "a b", role = "hr_officer" });
        Assert.True((await badName.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("userName", out _));

        var badRole = await api.PostAsJsonAsync("api/accounts", new { userName = name, role = "service" });
        Assert.True((await badRole.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("role", out _));

        var unknownCard = await api.PostAsJsonAsync("api/accounts/talents", new { cardNumber = "LC260009999" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownCard.StatusCode);
        Assert.True((await unknownCard.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("cardNumber", out _));
    }

    [Fact]
    public async Task Auditors_read_accounts_but_cannot_change_them_and_desks_or_anonymous_callers_get_nothing()
    {
        using var auditor = idp.Api(await idp.AuditorTokenAsync());
        var list = await auditor.GetFromJsonAsync<JsonElement>("api/accounts?role=agency_terminal");
        Assert.Contains(list.GetProperty("accounts").EnumerateArray(), a => a.GetProperty("userName").GetString() == "desk-hosp-people");
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync("api/accounts/desk-tax/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await auditor.PostAsJsonAsync("api/accounts", new { userName = "x-auditor-made", role = "hr_officer" })).StatusCode);

        var desk = await idp.ClientTokenAsync("registry");
        using var service = idp.Api(desk);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync("api/accounts")).StatusCode);

        using var anonymous = new HttpClient { BaseAddress = new Uri(idp.Authority + "/") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/accounts")).StatusCode);
    }

    [Fact]
    public async Task An_agency_system_gets_its_desks_tokens_by_client_credentials_until_HR_deletes_its_client()
    {
        using var api = idp.Api(await idp.HrTokenAsync());
        var terminal = "his-" + Guid.NewGuid().ToString("N")[..6];
        var bad = await api.PostAsJsonAsync("api/clients", new { agency = "NOPE", terminal = "x y" });
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("agency", out _) && errors.TryGetProperty("terminal", out _));

        var created = await (await api.PostAsJsonAsync("api/clients", new { agency = "HOSP_PEOPLE", terminal, displayName = "医院信息系统" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var clientId = created.GetProperty("client").GetProperty("clientId").GetString()!;
        var secret = created.GetProperty("clientSecret").GetString()!;

        var token = await ClientCredentialsAsync(clientId, secret);
        var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token.GetProperty("access_token").GetString()!);
        Assert.Equal(("agency_terminal", "HOSP_PEOPLE", terminal), (jwt.GetClaim("role").Value, jwt.GetClaim("agency").Value, jwt.GetClaim("terminal").Value));

        // The verification service serves it as that desk: a QR text that is no card gets a verdict, not a refusal.
        var verification = new Lingcheng.Talent.V1.VerificationService.VerificationServiceClient(idp.System.Verification!.Channel);
        var verdict = await verification.VerifyAsync(new Lingcheng.Talent.V1.VerifyRequest { QrText = "LCT1:NOT-A-CARD" },
            Lingcheng.Talent.Testing.TalentSystem.Bearer(jwt.EncodedToken));
        Assert.NotNull(verdict);

        (await api.DeleteAsync($"api/clients/{clientId}")).EnsureSuccessStatusCode();
        Assert.False((await ClientCredentialsAsync(clientId, secret)).TryGetProperty("access_token", out _));
    }

    private async Task<JsonElement> ClientCredentialsAsync(string clientId, string secret)
    {
        using var http = new HttpClient();
        var response = await http.PostAsync(idp.Authority + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_audit_chain_records_account_changes_stays_intact_and_holds_no_password()
    {
        using var api = idp.Api(await idp.HrTokenAsync());
        var name = "auditor-" + Guid.NewGuid().ToString("N")[..6];
        var created = await (await api.PostAsJsonAsync("api/accounts", new { userName = name, role = "auditor", displayName = "测试 审计" })).Content.ReadFromJsonAsync<JsonElement>();
        var password = created.GetProperty("temporaryPassword").GetString()!;
        var reset = await (await api.PostAsync($"api/accounts/{name}/reset-password", null)).Content.ReadFromJsonAsync<JsonElement>();
        var second = reset.GetProperty("temporaryPassword").GetString()!;
        Assert.NotEqual(password, second);
        (await api.PostAsync($"api/accounts/{name}/reset-second-factor", null)).EnsureSuccessStatusCode();

        var verify = await api.GetFromJsonAsync<JsonElement>("api/audit/verify");
        Assert.True(verify.GetProperty("intact").GetBoolean(), verify.GetProperty("detail").GetString());
        var records = (await api.GetFromJsonAsync<JsonElement>("api/audit?limit=1000")).GetProperty("records").EnumerateArray().ToList();
        var actions = records.Where(r => r.GetProperty("target").GetString() == name).Select(r => r.GetProperty("action").GetString()).ToList();
        Assert.Equal(["CreateAccount", "ResetPassword", "ResetSecondFactor"], actions);
        var all = string.Join("\n", records.Select(r => r.ToString()));
        Assert.DoesNotContain(password, all);
        Assert.DoesNotContain(second, all);
        Assert.Contains(records, r => r.GetProperty("action").GetString() == "SetUpSecondFactor" && r.GetProperty("target").GetString() == "hr-demo");
    }
}
