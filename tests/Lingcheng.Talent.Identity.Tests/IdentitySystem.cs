using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Security.Cryptography;
using Lingcheng.Talent.Testing;
using Microsoft.IdentityModel.Tokens;

[assembly: AssemblyFixture(typeof(Lingcheng.Talent.Identity.Tests.IdentitySystem))]

namespace Lingcheng.Talent.Identity.Tests;

/// <summary>
/// The three services and the built-in identity provider as processes on one fresh data folder, in
/// Development with the demo accounts (their passwords read from the provider's one-time file), the
/// services trusting only the provider's tokens. Lockout and time-outs are the production defaults
/// except the idle time-out, kept short for the browser tests' sake elsewhere.
/// </summary>
public sealed class IdentitySystem : IAsyncLifetime
{
    public TalentSystem System { get; private set; } = null!;

    public string Authority => System.Identity!.Address;

    /// <summary>Demo account name → its first password (from keys/demo-accounts.txt).</summary>
    public Dictionary<string, string> DemoPasswords { get; } = [];

    /// <summary>
    /// A second provider standing in for the province's platform (统一身份认证平台), with its own data
    /// folder and demo accounts; ours is its client <c>lingcheng-talent</c> and federates to it.
    /// </summary>
    public ServiceProcess Province { get; private set; } = null!;

    public string ProvinceData { get; } = Path.Combine(Path.GetTempPath(), "lct-tests", "province-" + Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
    {
        var provincePort = ServiceProcess.FreePort();
        System = await TalentSystem.StartAsync(identity: true, settings: new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Identity__SeedDemoAccounts"] = "true",
            ["Identity__Federation__Authority"] = $"http://127.0.0.1:{provincePort}/",
            ["Identity__Federation__RequireHttpsMetadata"] = "false",
            ["Identity__Federation__ClientSecretFile"] = Path.Combine(ProvinceData, "keys", "clients", "lingcheng-talent.secret"),
        });
        Province = await ServiceProcess.StartAsync("Identity", provincePort, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DataDirectory"] = ProvinceData,
            ["Identity__Issuer"] = $"http://127.0.0.1:{provincePort}/",
            ["Identity__SeedDemoAccounts"] = "true",
            ["Identity__Web__ClientId"] = "lingcheng-talent",
            ["Identity__Web__BaseUrls__0"] = System.Identity!.Address,
        });
        foreach (var line in File.ReadAllLines(Path.Combine(System.DataDirectory, "keys", "demo-accounts.txt")).Skip(1))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3)
            {
                DemoPasswords[parts[0]] = parts[2];
            }
        }
    }

    /// <summary>A token for a service's own client, by client credentials.</summary>
    public async Task<string> ClientTokenAsync(string clientId)
    {
        var secret = await File.ReadAllTextAsync(Path.Combine(System.DataDirectory, "keys", "clients", clientId + ".secret"));
        using var http = new HttpClient();
        var response = await http.PostAsync(Authority + "/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret.Trim(),
        }));
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("access_token").GetString()!;
    }

    private readonly SemaphoreSlim _signIn = new(1, 1);
    private string? _hrToken, _auditorToken, _hrKey, _auditorKey;

    /// <summary>The demo HR officer's access token (signed in once: password, then the second factor set up).</summary>
    public Task<string> HrTokenAsync() => DemoTokenAsync("hr-demo", () => _hrToken, t => _hrToken = t, k => _hrKey = k);

    /// <summary>The demo auditor's access token.</summary>
    public Task<string> AuditorTokenAsync() => DemoTokenAsync("auditor-demo", () => _auditorToken, t => _auditorToken = t, k => _auditorKey = k);

    /// <summary>The authenticator key a demo officer set up, for tests that sign them in again.</summary>
    public string? AuthenticatorKeyOf(string userName) => userName == "hr-demo" ? _hrKey : _auditorKey;

    private async Task<string> DemoTokenAsync(string userName, Func<string?> cached, Action<string> keep, Action<string?> keepKey)
    {
        await _signIn.WaitAsync();
        try
        {
            if (cached() is { } token)
            {
                return token;
            }

            using var browser = new IdentityBrowser(Authority) { AuthenticatorKey = AuthenticatorKeyOf(userName) };
            token = await browser.TokenAsync(userName, DemoPasswords[userName]);
            keepKey(browser.AuthenticatorKey);
            keep(token);
            return token;
        }
        finally
        {
            _signIn.Release();
        }
    }

    /// <summary>The provider's signing key, read from its key file as the provider derives it (for tokens with one field wrong).</summary>
    public ECDsaSecurityKey ProviderSigningKey()
    {
        var d = Convert.FromBase64String(File.ReadAllText(Path.Combine(System.DataDirectory, "keys", "identity-signing.key")).Trim());
        var key = new ECDsaSecurityKey(ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d }));
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint())[..16];
        return key;
    }

    /// <summary>An HTTP client of the account API with a bearer token.</summary>
    public HttpClient Api(string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(Authority + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await Province.DisposeAsync();
        await System.DisposeAsync();
        try
        {
            Directory.Delete(ProvinceData, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
