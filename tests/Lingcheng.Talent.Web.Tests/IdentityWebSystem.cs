using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>The tests that need the identity provider share one system (its own collection; the other tests use development sign-in).</summary>
[CollectionDefinition(Name)]
public sealed class IdentityWebCollection : ICollectionFixture<IdentityWebSystem>
{
    public const string Name = "identity-web";
}

/// <summary>
/// The three services, the built-in identity provider (Development, demo accounts seeded, a short idle
/// time-out) and a web app that signs people in through it by OpenID Connect, as real processes on one
/// fresh data folder. The services trust only the provider's tokens, so set-up steps (registering a
/// talent, creating an account) take the demo HR officer's real token, signed in over HTTP once.
/// Chromium is the assembly's (<see cref="WebSystem"/>).
/// </summary>
public sealed class IdentityWebSystem : IAsyncLifetime
{
    /// <summary>Idle time-out of both the provider's and the web app's sessions here (15 min by default).</summary>
    public const int IdleTimeoutSeconds = 20;

    public TalentSystem Services { get; private set; } = default!;

    public WebAppProcess Web { get; private set; } = default!;

    public string Authority => Services.Identity!.Address;

    /// <summary>Demo account name → its password (from keys/demo-accounts.txt).</summary>
    public Dictionary<string, string> DemoPasswords { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var idle = TimeSpan.FromSeconds(IdleTimeoutSeconds).ToString("c", CultureInfo.InvariantCulture);
        var webPort = ServiceProcess.FreePort();
        Services = await TalentSystem.StartAsync(identity: true, settings: new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Identity__SeedDemoAccounts"] = "true",
            ["Identity__IdleTimeout"] = idle,
            ["Identity__Web__BaseUrls__0"] = $"http://127.0.0.1:{webPort}",
        });
        foreach (var line in File.ReadAllLines(Path.Combine(Services.DataDirectory, "keys", "demo-accounts.txt")).Skip(1))
        {
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: 3 } parts)
            {
                DemoPasswords[parts[0]] = parts[2];
            }
        }

        Web = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development", // with an authority: no development sign-in all the same
            ["DataDirectory"] = Services.DataDirectory,
            ["Services__Registry"] = Services.Environment["Services__Registry"],
            ["Services__Entitlements"] = Services.Environment["Services__Entitlements"],
            ["Services__Verification"] = Services.Environment["Services__Verification"],
            ["Services__Identity"] = Authority,
            ["Auth__Authority"] = Services.Environment["Auth__Authority"],
            ["Auth__RequireHttpsMetadata"] = "false",
            ["Auth__ClientSecretFile"] = Path.Combine(Services.DataDirectory, "keys", "clients", "lingcheng-web.secret"),
            ["Auth__IdleTimeout"] = idle,
            ["Desk__ResetAfterSeconds"] = "3600",
        }, port: webPort);
    }

    private readonly SemaphoreSlim _hrSignIn = new(1, 1);
    private string? _hrToken;

    /// <summary>The demo HR officer's access token, for set-up steps (signed in over HTTP once, second factor set up then).</summary>
    public async Task<string> HrTokenAsync()
    {
        await _hrSignIn.WaitAsync();
        try
        {
            if (_hrToken is null)
            {
                using var browser = new IdentityBrowser(Authority);
                _hrToken = await browser.TokenAsync("hr-demo", DemoPasswords["hr-demo"]);
            }

            return _hrToken;
        }
        finally
        {
            _hrSignIn.Release();
        }
    }

    /// <summary>An HTTP client of the provider's account API as the demo HR officer.</summary>
    public async Task<HttpClient> AccountApiAsync()
    {
        var http = new HttpClient { BaseAddress = new Uri(Authority + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await HrTokenAsync());
        return http;
    }

    /// <summary>Creates an account through the API (as HR would) and returns its temporary password.</summary>
    public async Task<string> CreateAccountAsync(string userName, string role, string? agency = null, string? terminal = null)
    {
        using var api = await AccountApiAsync();
        var response = await api.PostAsJsonAsync("api/accounts", new { userName, role, displayName = "测试账户 " + userName, agency, terminal });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"creating {userName}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("temporaryPassword").GetString()!;
    }

    /// <summary>An account as the API shows it, or null when there is none.</summary>
    public async Task<JsonElement?> AccountAsync(string userName)
    {
        using var api = await AccountApiAsync();
        var response = await api.GetAsync("api/accounts/" + Uri.EscapeDataString(userName));
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Registers a synthetic talent and issues a card with the demo HR officer's token.</summary>
    public async Task<(string TalentId, string CardNumber, string FullName, string DocumentNumber)> RegisterTalentWithCardAsync()
    {
        var registry = new TalentRegistryService.TalentRegistryServiceClient(Services.Registry!.Channel);
        var asHr = TalentSystem.Bearer(await HrTokenAsync());
        var record = SyntheticData.NewTalent();
        var talent = (await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = record }, asHr)).Talent;
        var card = (await registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, asHr)).Card;
        return (talent.TalentId, card.CardNumber, talent.FullName, record.DocumentNumber);
    }

    public async ValueTask DisposeAsync()
    {
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        if (Services is not null)
        {
            await Services.DisposeAsync();
        }
    }
}
