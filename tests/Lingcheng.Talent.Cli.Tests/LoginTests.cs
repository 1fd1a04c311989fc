using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// <c>lct login</c> as a person uses it: lct shows a code, an HR officer approves it in the browser, and
/// lct's next commands act as that officer — on the services and on the identity provider's account API.
/// Development tokens are refused outside Development.
/// </summary>
public sealed partial class LoginTests(SignInSystem idp) : IClassFixture<SignInSystem>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Lct_login_approved_in_the_browser_signs_in_and_whoami_shows_the_hr_officer()
    {
        var cache = idp.NewTokenCache();
        await using (var login = LctRun.Start(idp.WorkDirectory, idp.Environment(cache), "login"))
        {
            var code = await login.WaitForAsync(SignInSystem.UserCodeOf, Within);
            var approved = await idp.ApproveAsHrAsync(code);
            Assert.StartsWith("/account/device-signed-in", approved.Path);

            var result = await login.ExitAsync(Within);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("请在浏览器中打开 / Open in a browser:  " + idp.Authority + "/connect/verify", result.Stdout);
            Assert.Contains("user_code=", result.Stdout); // verification_uri_complete
            Assert.Contains("Signed in as hr-demo (hr_officer)", result.Stdout);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cache));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(cache)!));
        }

        var whoami = await idp.LctAsync(cache, "whoami");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Matches(@"(?m)^subject\s+hr-demo$", whoami.Stdout);
        Assert.Matches(@"(?m)^role\s+hr_officer$", whoami.Stdout);
        Assert.Matches(@"(?m)^expires\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CST \(in \d+ min\)$", whoami.Stdout);

        // The services (trusting only the provider) serve the signed-in officer: no --as, no development key.
        var talents = await idp.LctAsync(cache, "hr", "talent", "list", "--json");
        Assert.True(talents.ExitCode == 0, talents.ToString());

        var logout = await idp.LctAsync(cache, "logout");
        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.False(File.Exists(cache));
        var after = await idp.LctAsync(cache, "hr", "talent", "list");
        Assert.Equal(1, after.ExitCode);
        Assert.Equal("lct: not signed in: run `lct login` (or pass --token TOKEN)\n", after.Stderr);
    }

    [Fact]
    public async Task A_signed_in_hr_officer_creates_a_desk_account_whose_temporary_password_is_printed_once_and_works()
    {
        var cache = await idp.SignedInAsHrAsync();
        var userName = "desk-hosp-" + Suffix();

        var create = await idp.LctAsync(cache, "admin", "accounts", "create", userName,
            "--role", "agency_terminal", "--agency", "HOSP_PEOPLE", "--terminal", userName, "--name", "人民医院 测试窗口");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains($"Created {userName}:", create.Stdout);
        Assert.Matches(@"(?m)^agency\s+HOSP_PEOPLE$", create.Stdout);
        var password = TemporaryPassword().Match(create.Stdout).Groups[1].Value;
        Assert.Equal(14, password.Length);
        Assert.Contains("hand it to the person in person", create.Stdout);

        // Shown once: the account's own view never has it.
        var show = await idp.LctAsync(cache, "admin", "accounts", "show", userName, "--json");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.DoesNotContain(password, show.Stdout);
        Assert.Equal("HOSP_PEOPLE", (string?)JsonNode.Parse(show.Stdout)!["agency"]);

        // The desk signs in with it (changing it, as a temporary password must be) and gets a desk token.
        using var desk = new IdentityBrowser(idp.Authority);
        var token = await desk.TokenAsync(userName, password, newPassword: "Desk-" + Guid.NewGuid().ToString("N")[..12]);
        Assert.Contains("\"agency\":\"HOSP_PEOPLE\"", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[1]))));
    }

    [Fact]
    public async Task An_agency_system_client_is_created_with_its_secret_printed_once_gets_the_desks_token_and_is_deleted()
    {
        var cache = await idp.SignedInAsHrAsync();
        var terminal = "his-" + Suffix();
        var create = await idp.LctAsync(cache, "admin", "clients", "create", "--agency", "HOSP_PEOPLE", "--terminal", terminal, "--name", "医院信息系统");
        Assert.True(create.ExitCode == 0, create.ToString());
        var clientId = System.Text.RegularExpressions.Regex.Match(create.Stdout, @"client id:\s+(\S+)").Groups[1].Value;
        var secret = System.Text.RegularExpressions.Regex.Match(create.Stdout, @"client secret:\s+(\S+)").Groups[1].Value;
        Assert.Equal($"agency-hosp-people-{terminal}", clientId);

        var list = await idp.LctAsync(cache, "admin", "clients", "list");
        Assert.Contains(clientId, list.Stdout);
        Assert.DoesNotContain(secret, list.Stdout);

        var token = await new Lingcheng.Talent.Auth.ClientCredentials(new HttpClient(), idp.Authority, clientId, secret).GetTokenAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"\"terminal\":\"{terminal}\"", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[1]))));

        var delete = await idp.LctAsync(cache, "admin", "clients", "delete", clientId);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.DoesNotContain(clientId, (await idp.LctAsync(cache, "admin", "clients", "list")).Stdout);
    }

    [Fact]
    public async Task A_bad_agency_is_named_with_its_field_error_and_creates_no_account()
    {
        var cache = await idp.SignedInAsHrAsync();
        var userName = "desk-nowhere-" + Suffix();

        var create = await idp.LctAsync(cache, "admin", "accounts", "create", userName, "--role", "agency_terminal", "--agency", "NO_SUCH_AGENCY", "--terminal", "desk-9");
        Assert.Equal(1, create.ExitCode);
        Assert.Equal("", create.Stdout);
        Assert.StartsWith("lct: invalid request: agency: ", create.Stderr);
        Assert.Contains("unknown agency code", create.Stderr);

        var list = await idp.LctAsync(cache, "admin", "accounts", "list", "--role", "agency_terminal", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var names = JsonNode.Parse(list.Stdout)!.AsArray().Select(a => (string?)a!["userName"]).ToList();
        Assert.Contains("desk-hosp-people", names); // the list is the real one: the seeded desks are in it
        Assert.DoesNotContain(userName, names);
    }

    [Fact]
    public async Task Development_tokens_are_refused_outside_Development_with_why_and_what_to_do()
    {
        var cache = idp.NewTokenCache();
        var refused = await idp.LctAsync(cache, "hr", "talent", "list", "--as", "hr");
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(
            "lct: --as uses development tokens, which work only with LCT_ENVIRONMENT=Development (LCT_ENVIRONMENT is not set). " +
            "Sign in with `lct login` (or pass --token TOKEN); on a development machine, export LCT_ENVIRONMENT=Development.\n",
            refused.Stderr);

        var production = await LctRun.RunAsync(idp.WorkDirectory, idp.Environment(cache, ("LCT_ENVIRONMENT", "Production"), ("DOTNET_ENVIRONMENT", "Development")),
            "token", "mint", "--role", "hr");
        Assert.Equal(2, production.ExitCode);
        Assert.StartsWith("lct: lct token mint uses development tokens, which work only with LCT_ENVIRONMENT=Development (LCT_ENVIRONMENT is Production).", production.Stderr);

        // The same command in Development mints (so the refusal above is the environment's doing, nothing else).
        var development = await LctRun.RunAsync(idp.WorkDirectory, idp.Environment(cache, ("DOTNET_ENVIRONMENT", "Development")), "token", "mint", "--role", "hr");
        Assert.True(development.ExitCode == 0, development.ToString());
        Assert.Equal(3, development.Stdout.Trim().Split('.').Length);
    }

    [Fact]
    public async Task An_expired_sign_in_says_to_run_lct_login()
    {
        var cache = idp.NewTokenCache();
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        await File.WriteAllTextAsync(cache, new JsonObject
        {
            ["authority"] = idp.Authority,
            ["access_token"] = "not-a-jwt",
            ["expires_at"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
            ["obtained_at"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("O"),
            ["subject"] = "hr-demo",
            ["role"] = "hr_officer",
        }.ToJsonString(), TestContext.Current.CancellationToken);

        foreach (var args in new[] { new[] { "hr", "talent", "list" }, ["admin", "accounts", "list"] })
        {
            var result = await idp.LctAsync(cache, args);
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(@"^lct: your sign-in as hr-demo expired at .+: run `lct login`", result.Stderr);
        }
    }

    private static string Suffix() => Guid.NewGuid().ToString("N")[..8];

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }

    [GeneratedRegex(@"Temporary password:\s+(\S+)")]
    private static partial Regex TemporaryPassword();
}
