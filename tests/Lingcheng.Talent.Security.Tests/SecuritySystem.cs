using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Verification.Time;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// The three real services and the built-in identity provider as processes (one system for the whole
/// assembly: the privacy scan at the end reads the logs of everything the other classes did), plus one
/// more verification replica, hosted in the test process, whose clock that judges tokens runs ten minutes ahead
/// so a real phone token can be replayed after it expired. The services trust the provider, whose demo
/// accounts are seeded (Development), and the access matrix calls with the tokens it issued to real
/// accounts and clients (<see cref="ProviderTokens"/>). They also accept development tokens
/// (<c>Auth:DevelopmentTokens</c>), because the other tests need tokens no account can get: expired,
/// foreign-signed or unsigned ones, a role nobody holds, an agency that does not participate, a talent
/// token for each of many fresh cards, a desk of any of the 18 agencies. Everything sensitive a test hands
/// to the services (identity numbers, phones, QR texts, bearer tokens, key material, the talent's
/// activation code and password) is remembered in <see cref="Sensitive"/>, and every answer an agency
/// terminal receives in <see cref="AgencyAnswers"/>, for the privacy scan.
/// </summary>
public sealed class SecuritySystem : IAsyncLifetime
{
    /// <summary>The seed of every random input of the suite; set LCT_SECURITY_SEED to replay another run.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("LCT_SECURITY_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20261127;

    /// <summary>How far the second verification replica's clock runs ahead: beyond a phone token's 120 s plus 60 s of skew.</summary>
    public static readonly TimeSpan LaterClockOffset = TimeSpan.FromMinutes(10);

    private string _scratch = "";

    public TalentSystem System { get; private set; } = null!;

    /// <summary>A verification replica (own database) whose clock runs <see cref="LaterClockOffset"/> ahead.</summary>
    public InProcessService<VerificationClock> LaterReplica { get; private set; } = null!;

    /// <summary>The access tokens the identity provider issued to the callers of <see cref="RoleTable.Callers"/>.</summary>
    public ProviderTokens ProviderTokens { get; private set; } = null!;

    /// <summary>The provider's issuer, as its tokens and discovery document name it.</summary>
    public string Issuer => System.Environment["Identity__Issuer"];

    /// <summary>Mints tokens with a development key the services do not know (a different key file).</summary>
    public DevelopmentTokens ForeignTokens { get; private set; } = null!;

    /// <summary>Values that must never appear in a log: kind → values.</summary>
    public ConcurrentDictionary<string, string> Sensitive { get; } = new(StringComparer.Ordinal);

    /// <summary>Texts of what agency terminals were answered (responses and error details).</summary>
    public ConcurrentQueue<string> AgencyAnswers { get; } = new();

    /// <summary>Texts of every error this suite received (for the answer scan).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Identity numbers and phones of the talents this suite registered (for the answer scan).</summary>
    public ConcurrentDictionary<string, string> PersonalData { get; } = new(StringComparer.Ordinal);

    public TalentRegistryService.TalentRegistryServiceClient Registry => new(System.Registry!.Channel);

    public EntitlementService.EntitlementServiceClient Entitlements => new(System.Entitlements!.Channel);

    public VerificationService.VerificationServiceClient Verification => new(System.Verification!.Channel);

    public VerificationService.VerificationServiceClient Later => new(LaterReplica.Channel);

    public async ValueTask InitializeAsync()
    {
        Console.WriteLine($"Security suite random seed: {Seed} (set LCT_SECURITY_SEED to change)");
        _scratch = Path.Combine(Path.GetTempPath(), "lct-tests", "security-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
        ForeignTokens = DevelopmentTokens.FromFile(Path.Combine(_scratch, "foreign-dev-jwt.key"), createIfMissing: true);

        var clock = Stopwatch.StartNew();
        System = await TalentSystem.StartAsync(identity: true, settings: new Dictionary<string, string>
        {
            // The demo accounts (an HR officer, an auditor, a desk per agency) are seeded in Development only.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Identity__SeedDemoAccounts"] = "true",
            ["Auth__DevelopmentTokens"] = "true",
            ["Registry__EventHeartbeatSeconds"] = "1",
            // The fuzz sends a few thousand verifies from one terminal; the per-terminal limit is not under test here.
            ["Verification__RateLimit__PermitsPerSecond"] = "100000",
            ["Verification__RateLimit__Burst"] = "100000",
            // The machine is shared and often saturated; generous deadlines keep slowness from looking like an outage.
            ["Verification__EntitlementsDeadlineMilliseconds"] = "5000",
            ["Verification__RegistryDeadlineMilliseconds"] = "5000",
            // The matrix and the fuzz ask the costly RPCs far more often than a person would; the per-caller limits
            // (issue 25, item 10) have their own tests (ServiceIdentityAndLimitTests, Registry CallerLimitTests).
            ["CallerLimits__PermitsPerMinute"] = "0",
            ["CallerLimits__MaxConcurrent"] = "0",
        });

        var env = new Dictionary<string, string>(System.Environment)
        {
            ["ConnectionStrings__Verification"] = $"Data Source={Path.Combine(System.DataDirectory, "verification-later.db")}",
        };
        // The replica (its outgoing calls carry development service tokens) starts while the callers sign in, so it
        // shares the cores with the provider's first sign-ins: it gets twice the usual time to become ready.
        var replica = new InProcessService<VerificationClock>(env,
            services => services.AddSingleton(new VerificationClock(TimeProvider.System, LaterClockOffset))).StartAsync(TimeSpan.FromSeconds(180));
        var started = clock.Elapsed;
        try
        {
            ProviderTokens = await ProviderTokens.FetchAsync(this);
            TestContext.Current.SendDiagnosticMessage($"Services and provider up in {started.TotalSeconds:F1} s, the provider's tokens for {ProviderTokens.All.Count} callers after {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            LaterReplica = await replica;
        }

        Sensitive["development key"] = File.ReadAllText(System.Environment["Auth__DevelopmentKeyFile"]).Trim();
        Sensitive["foreign development key"] = File.ReadAllText(Path.Combine(_scratch, "foreign-dev-jwt.key")).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("LCT_TEST_LOGS") is { Length: > 0 } logs && System is not null)
        {
            Directory.CreateDirectory(logs);
            await File.WriteAllTextAsync(Path.Combine(logs, "security-" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + ".log"),
                System.AllOutput + "\n=== later replica\n" + LaterReplica?.Output);
        }

        if (LaterReplica is not null)
        {
            await LaterReplica.DisposeAsync();
        }

        if (System is not null)
        {
            await System.DisposeAsync();
        }

        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Every service's output, the extra replica's included.</summary>
    public string AllOutput => System.AllOutput + "\n" + LaterReplica.Output;

    /// <summary>Call options with a bearer token, remembered as a secret no log may show.</summary>
    public CallOptions Bearer(string token)
    {
        Sensitive["bearer token " + token.GetHashCode(StringComparison.Ordinal).ToString(CultureInfo.InvariantCulture)] = token;
        return TalentSystem.Bearer(token);
    }

    public CallOptions AsHrOfficer() => Bearer(System.Tokens.Mint(Roles.HrOfficer, "sec-hr-officer"));

    public CallOptions AsAuditor() => Bearer(System.Tokens.Mint(Roles.Auditor, "sec-auditor"));

    /// <summary>A service's own token (the verification service's unless named).</summary>
    public CallOptions AsService(string service = "verification") => Bearer(System.Tokens.Mint(Roles.Service, service));

    /// <summary>The verification service on an agency terminal's behalf: its own token and the terminal's, forwarded.</summary>
    public CallOptions AsServiceFor(string agency, string terminal = "sec-desk")
    {
        var options = AsService();
        var forwarded = System.Tokens.Mint(Roles.AgencyTerminal, $"{agency}-{terminal}", agency: agency, terminal: terminal);
        Sensitive["forwarded token " + forwarded.GetHashCode(StringComparison.Ordinal).ToString(CultureInfo.InvariantCulture)] = forwarded;
        options.Headers!.Add(TalentSystem.OnBehalfOfHeader, "Bearer " + forwarded);
        return options;
    }

    public CallOptions AsAgency(string agency, string terminal = "sec-desk") =>
        Bearer(System.Tokens.Mint(Roles.AgencyTerminal, $"{agency}-{terminal}", agency: agency, terminal: terminal));

    public CallOptions AsTalent(string cardNumber) => Bearer(System.Tokens.Mint(Roles.Talent, "talent-" + cardNumber, card: cardNumber));

    /// <summary>Remembers a talent's identity number and phone (never to be logged nor shown to an agency).</summary>
    public void Remember(V1.Talent talent)
    {
        PersonalData["identity " + talent.DocumentNumber] = talent.DocumentNumber;
        PersonalData["phone " + talent.MobilePhone] = talent.MobilePhone;
        Sensitive["identity " + talent.DocumentNumber] = talent.DocumentNumber;
        Sensitive["phone " + talent.MobilePhone] = talent.MobilePhone;
    }

    /// <summary>Remembers a QR text (no log may show it).</summary>
    public string RememberQr(string qrText)
    {
        if (qrText.Length is > 20 and < 1000)
        {
            Sensitive["qr " + qrText] = qrText;
        }

        return qrText;
    }

    /// <summary>Registers a synthetic talent and issues a card; returns the card, its static QR text and the talent as sent.</summary>
    public async Task<(Card Card, string QrText, V1.Talent Talent)> IssueCardAsync(Tier tier = Tier.A)
    {
        var input = SyntheticData.NewTalent(tier);
        Remember(input);
        var (talent, issued) = await System.RegisterWithCardAsync(input, hr: AsHrOfficer());
        input.TalentId = talent.TalentId;
        return (issued.Card, RememberQr(issued.QrText), input);
    }

    /// <summary>Verifies as an agency terminal and keeps the answer for the privacy scan.</summary>
    public async Task<VerifyResponse> VerifyAsync(string qrText, string agency = "HOSP_PEOPLE", VerificationService.VerificationServiceClient? client = null)
    {
        var reply = await (client ?? Verification).VerifyAsync(new VerifyRequest { QrText = qrText }, AsAgency(agency));
        Answer(reply);
        return reply;
    }

    /// <summary>Polls Verify until it gives <paramref name="expected"/> (the feed delivers state changes within a second).</summary>
    public async Task<VerifyResponse> VerifyUntilAsync(string qrText, VerificationOutcome expected, VerificationService.VerificationServiceClient? client = null)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var reply = await VerifyAsync(qrText, client: client);
            if (reply.Outcome == expected || DateTime.UtcNow > until)
            {
                return reply;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Keeps an agency-facing answer for the privacy scan.</summary>
    public void Answer(IMessage message) => AgencyAnswers.Enqueue(message.ToString() ?? "");

    /// <summary>Keeps an agency-facing error (message and every detail) for the privacy scan.</summary>
    public void Answer(RpcException ex) => AgencyAnswers.Enqueue(ErrorText(ex));

    /// <summary>An error's message with every detail.</summary>
    public static string ErrorText(RpcException ex) => ex.Status.Detail + " " + ex.GetRpcStatus()?.ToString();

    /// <summary>Records in the verification service's audit chain, and whether it is intact.</summary>
    public async Task<AuditChainReport> VerificationAuditAsync(VerificationService.VerificationServiceClient? client = null) =>
        (await (client ?? Verification).VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), AsAuditor())).Report;

    public async Task<AuditChainReport> RegistryAuditAsync() =>
        (await Registry.VerifyAuditChainAsync(new VerifyAuditChainRequest(), AsAuditor())).Report;

    public async Task<AuditChainReport> EntitlementsAuditAsync() =>
        (await Entitlements.VerifyAuditChainAsync(new EntitlementServiceVerifyAuditChainRequest(), AsAuditor())).Report;

    /// <summary>Asks every service's (and the extra replica's) health endpoint.</summary>
    public async Task<IReadOnlyList<HealthCheckResponse.Types.ServingStatus>> HealthAsync()
    {
        var all = new List<HealthCheckResponse.Types.ServingStatus>();
        foreach (var service in new[] { System.Registry!, System.Entitlements!, System.Verification! })
        {
            Assert.True(service.IsRunning, "a service process has exited");
        }

        foreach (var channel in new[] { System.Registry!.Channel, System.Entitlements!.Channel, System.Verification!.Channel, LaterReplica.Channel })
        {
            all.Add((await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status);
        }

        return all;
    }

    /// <summary>Counts what the registry holds: talents and cards (every page).</summary>
    public async Task<(int Talents, int Cards)> CountRegistryAsync()
    {
        var talents = 0;
        var request = new ListTalentsRequest { PageSize = 200 };
        while (true)
        {
            var page = await Registry.ListTalentsAsync(request, AsAuditor());
            talents += page.Talents.Count;
            if (page.NextPageToken.Length == 0)
            {
                break;
            }

            request.PageToken = page.NextPageToken;
        }

        var cards = 0;
        var cardRequest = new ListCardsRequest { PageSize = 200 };
        while (true)
        {
            var page = await Registry.ListCardsAsync(cardRequest, AsAuditor());
            cards += page.Cards.Count;
            if (page.NextPageToken.Length == 0)
            {
                break;
            }

            cardRequest.PageToken = page.NextPageToken;
        }

        return (talents, cards);
    }
}

/// <summary>Orders the test collections by name, so the privacy scan (<c>9 …</c>) runs after everything else.</summary>
public sealed class ByNameCollectionOrderer : Xunit.v3.ITestCollectionOrderer
{
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : notnull, Xunit.Sdk.ITestCollection =>
        testCollections.OrderBy(c => c.TestCollectionDisplayName, StringComparer.Ordinal).ToArray();
}

/// <summary>Names of the collections, in the order they run.</summary>
public static class Collections
{
    public const string AccessControl = "1 Access control, every RPC";
    public const string ObjectAccess = "2 Object-level access";
    public const string VerifyFuzz = "3 Hostile QR texts";
    public const string WriteFuzz = "4 Hostile write requests";
    public const string Privacy = "9 Privacy of logs and answers (after everything else)";
}

[CollectionDefinition(Collections.AccessControl)]
public sealed class AccessControlCollection;

[CollectionDefinition(Collections.ObjectAccess)]
public sealed class ObjectAccessCollection;

[CollectionDefinition(Collections.VerifyFuzz)]
public sealed class VerifyFuzzCollection;

[CollectionDefinition(Collections.WriteFuzz)]
public sealed class WriteFuzzCollection;

[CollectionDefinition(Collections.Privacy)]
public sealed class PrivacyCollection;
