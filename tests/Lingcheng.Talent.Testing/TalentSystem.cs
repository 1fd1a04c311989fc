using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.V1;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Testing;

/// <summary>
/// The three services as real processes on free loopback ports, sharing a temporary data folder
/// and development key; disposing stops them and deletes the folder.
/// </summary>
public sealed class TalentSystem : IAsyncDisposable
{
    private TalentSystem(string dataDirectory, DevelopmentTokens tokens, IReadOnlyDictionary<string, string> environment)
    {
        DataDirectory = dataDirectory;
        Tokens = tokens;
        Environment = environment;
    }

    public string DataDirectory { get; }

    /// <summary>Mints tokens the services accept.</summary>
    public DevelopmentTokens Tokens { get; }

    /// <summary>The environment every service was started with.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public ServiceProcess? Registry { get; private set; }

    public ServiceProcess? Entitlements { get; private set; }

    public ServiceProcess? Verification { get; private set; }

    /// <summary>The built-in identity provider, when started (<c>identity: true</c>); the services then trust only its tokens.</summary>
    public ServiceProcess? Identity { get; private set; }

    /// <summary>The verification service's HTTP/1.1 JSON port.</summary>
    public int VerificationJsonPort { get; private set; }

    /// <summary>Every service's output, for log scans.</summary>
    public string AllOutput => string.Join("\n", new[] { Registry, Entitlements, Verification, Identity }.Select(s => s?.Output ?? ""));

    /// <summary>
    /// Starts the named services (all three by default): the registry first, the others beside each other.
    /// Without <paramref name="identity"/> they run in Development with development tokens switched on
    /// (<see cref="ServiceProcess.DevelopmentMode"/>). With <paramref name="identity"/>, the built-in identity provider starts beside the registry and the
    /// services trust its tokens (not development tokens, unless <c>Auth__DevelopmentTokens</c> says so),
    /// and get their own tokens from it by client credentials.
    /// </summary>
    public static async Task<TalentSystem> StartAsync(
        bool registry = true,
        bool entitlements = true,
        bool verification = true,
        IDictionary<string, string>? settings = null,
        bool identity = false)
    {
        var data = Path.Combine(Path.GetTempPath(), "lct-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var keyFile = Path.Combine(data, "keys", "dev-jwt.key");
        var tokens = DevelopmentTokens.FromFile(keyFile, createIfMissing: true);
        int registryPort = ServiceProcess.FreePort(), entitlementsPort = ServiceProcess.FreePort(), verificationPort = ServiceProcess.FreePort();
        var jsonPort = ServiceProcess.FreePort();
        var identityPort = ServiceProcess.FreePort();

        var env = new Dictionary<string, string>
        {
            ["DataDirectory"] = data,
            ["Auth__DevelopmentKeyFile"] = keyFile,
            ["Services__Registry"] = $"http://127.0.0.1:{registryPort}",
            ["Services__Entitlements"] = $"http://127.0.0.1:{entitlementsPort}",
            ["Services__Verification"] = $"http://127.0.0.1:{verificationPort}",
        };
        if (!identity)
        {
            // Development tokens only in Development, and only when asked for (issue 25).
            foreach (var (key, value) in ServiceProcess.DevelopmentMode)
            {
                env[key] = value;
            }
        }
        else
        {
            env["Services__Identity"] = $"http://127.0.0.1:{identityPort}";
            env["Auth__Authority"] = $"http://127.0.0.1:{identityPort}/";
            env["Auth__RequireHttpsMetadata"] = "false";
            env["Identity__Issuer"] = $"http://127.0.0.1:{identityPort}/";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var system = new TalentSystem(data, tokens, env) { VerificationJsonPort = jsonPort };
        try
        {
            // The provider may start beside the registry: services read its discovery document at their first call.
            var identityStart = identity
                ? Task.Run(async () => system.Identity = await ServiceProcess.StartAsync("Identity", identityPort, env))
                : Task.CompletedTask;
            if (registry)
            {
                system.Registry = await ServiceProcess.StartAsync("Registry", registryPort, ClientOf("registry", env, identity));
            }

            var others = new List<Task> { identityStart };
            if (entitlements)
            {
                others.Add(Task.Run(async () => system.Entitlements = await ServiceProcess.StartAsync("Entitlements", entitlementsPort, ClientOf("entitlements", env, identity))));
            }

            if (verification)
            {
                // Only the verification service has the HTTP/1.1 JSON endpoint.
                var verificationEnv = new Dictionary<string, string>(ClientOf("verification", env, identity)) { ["Kestrel__Endpoints__Json__Url"] = $"http://127.0.0.1:{jsonPort}" };
                others.Add(Task.Run(async () => system.Verification = await ServiceProcess.StartAsync("Verification", verificationPort, verificationEnv)));
            }

            await Task.WhenAll(others);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>A service's environment with its own client of the identity provider (its secret file in the shared data folder).</summary>
    private static Dictionary<string, string> ClientOf(string clientId, Dictionary<string, string> env, bool identity)
    {
        var own = new Dictionary<string, string>(env);
        if (identity)
        {
            own["Auth__ClientId"] = clientId;
            own["Auth__ClientSecretFile"] = Path.Combine(env["DataDirectory"], "keys", "clients", clientId + ".secret");
        }

        return own;
    }

    /// <summary>Call options carrying a bearer token.</summary>
    public static CallOptions Bearer(string token, TimeSpan? deadline = null) =>
        new(new Metadata { { "Authorization", "Bearer " + token } }, DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(30)));

    public CallOptions AsHrOfficer() => Bearer(Tokens.Mint(Roles.HrOfficer, "hr-officer-1"));

    /// <summary>
    /// Registers <paramref name="talent"/> (a synthetic one of <paramref name="tier"/> when null) and issues its card, as
    /// an HR officer (<paramref name="hr"/>, or a development token); returns the registered talent and the issue answer
    /// (the card and its printed QR text). The one card-issuing step the test projects share.
    /// </summary>
    public async Task<(V1.Talent Talent, IssueCardResponse Issued)> RegisterWithCardAsync(
        V1.Talent? talent = null, Tier tier = Tier.B, int validityMonths = 0, CallOptions? hr = null)
    {
        var registry = new TalentRegistryService.TalentRegistryServiceClient(Registry!.Channel);
        var officer = hr ?? AsHrOfficer();
        var created = (await registry.CreateTalentAsync(
            new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = talent ?? SyntheticData.NewTalent(tier) }, officer)).Talent;
        var issued = await registry.IssueCardAsync(
            new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = created.TalentId, ValidityMonths = validityMonths }, officer);
        return (created, issued);
    }

    public CallOptions AsAuditor() => Bearer(Tokens.Mint(Roles.Auditor, "org-auditor-1"));

    /// <summary>A service's own token (the verification service's unless named): each service may call only the RPCs it needs.</summary>
    public CallOptions AsService(string service = "verification") => Bearer(Tokens.Mint(Roles.Service, service));

    /// <summary>The metadata header in which a service forwards an agency terminal's token (issue 25, item 9).</summary>
    public const string OnBehalfOfHeader = "lingcheng-on-behalf-of";

    /// <summary>The verification service calling the entitlement service on an agency terminal's behalf (its token forwarded).</summary>
    public CallOptions AsVerificationFor(string agency, string terminal = "terminal-1")
    {
        var options = AsService();
        options.Headers!.Add(OnBehalfOfHeader, "Bearer " + Tokens.Mint(Roles.AgencyTerminal, $"{agency}-{terminal}", agency: agency, terminal: terminal));
        return options;
    }

    public CallOptions AsAgency(string agency, string terminal = "terminal-1") =>
        Bearer(Tokens.Mint(Roles.AgencyTerminal, $"{agency}-{terminal}", agency: agency, terminal: terminal));

    public CallOptions AsTalent(string cardNumber) => Bearer(Tokens.Mint(Roles.Talent, "talent-" + cardNumber, card: cardNumber));

    public async ValueTask DisposeAsync()
    {
        foreach (var service in new[] { Verification, Entitlements, Registry, Identity })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp folder is cleaned by the OS.
        }
    }
}
