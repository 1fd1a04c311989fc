using System.Security.Cryptography;
using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Verification.Time;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using CardTier = Lingcheng.Talent.Cards.Tier;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// The three real services, with the registry signing with a key this test run generated
/// (<c>Registry:SigningKeyFile</c>): the tests can then sign QR texts the registry's trust list
/// vouches for — a card the registry never issued (UNKNOWN_CARD), a token dated in the future
/// (NOT_YET_VALID) — besides the registry's own tokens.
/// </summary>
public class VerificationSystem : IAsyncLifetime
{
    private readonly List<ServiceProcess> _replicas = [];
    private string _keyFolder = "";

    public TalentSystem System { get; private set; } = null!;

    /// <summary>The private key the registry signs with.</summary>
    public SigningKey RegistryKey { get; private set; } = null!;

    public TalentRegistryService.TalentRegistryServiceClient Registry => new(System.Registry!.Channel);

    public EntitlementService.EntitlementServiceClient Entitlements => new(System.Entitlements!.Channel);

    public VerificationService.VerificationServiceClient Verification => new(VerificationProcess.Channel);

    public async ValueTask InitializeAsync()
    {
        RegistryKey = SigningKey.Generate(DateTimeOffset.UtcNow.AddDays(-1));
        _keyFolder = Path.Combine(Path.GetTempPath(), "lct-tests", "key-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_keyFolder);
        var keyFile = Path.Combine(_keyFolder, "registry-signing.pem");
        await File.WriteAllTextAsync(keyFile, RegistryKey.ExportPkcs8Pem());
        // TalentSystem gives every service the JSON endpoint setting, so the registry and the
        // entitlement service would bind the verification's JSON port too; port 0 keeps them apart,
        // and the verification service is started here with a real JSON port.
        System = await TalentSystem.StartAsync(verification: false, settings: new Dictionary<string, string>
        {
            ["Registry__SigningKeyFile"] = keyFile,
            ["Registry__EventHeartbeatSeconds"] = "1",
            ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
            // The machine is shared and often saturated; generous deadlines keep slowness from looking like an outage.
            ["Verification__EntitlementsDeadlineMilliseconds"] = "5000",
            ["Verification__RegistryDeadlineMilliseconds"] = "5000",
            ["Verification__RateLimit__PermitsPerSecond"] = RateLimitPerSecond,
        });
        JsonPort = ServiceProcess.FreePort();
        var main = StartVerificationAsync(new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Json__Url"] = $"http://127.0.0.1:{JsonPort}",
        }, track: false);
        await Task.WhenAll(main, StartExtraReplicasAsync());
        VerificationProcess = await main;
    }

    /// <summary>The per-terminal rate limit the services run with.</summary>
    protected virtual string RateLimitPerSecond => "50";

    /// <summary>Replicas a fixture wants from the start (started beside the main one to save time).</summary>
    protected virtual Task StartExtraReplicasAsync() => Task.CompletedTask;

    /// <summary>The verification service under test.</summary>
    public ServiceProcess VerificationProcess { get; private set; } = null!;

    /// <summary>Its HTTP/1.1 JSON port.</summary>
    public int JsonPort { get; private set; }

    public virtual async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("LCT_TEST_LOGS") is { Length: > 0 } logs && System is not null)
        {
            Directory.CreateDirectory(logs);
            var name = GetType().Name + "-" + DateTime.UtcNow.ToString("HHmmss", global::System.Globalization.CultureInfo.InvariantCulture);
            await File.WriteAllTextAsync(Path.Combine(logs, name + ".log"),
                "=== registry\n" + System.Registry?.Output + "\n=== entitlements\n" + System.Entitlements?.Output + "\n=== verification\n" + VerificationProcess?.Output);
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        if (VerificationProcess is not null)
        {
            await VerificationProcess.DisposeAsync();
        }

        if (System is not null)
        {
            await System.DisposeAsync();
        }

        RegistryKey?.Dispose();
        try
        {
            Directory.Delete(_keyFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Starts one more verification replica against the same registry and entitlement service,
    /// with its own database and JSON port, and extra settings.
    /// </summary>
    public async Task<VerificationService.VerificationServiceClient> StartReplicaAsync(IDictionary<string, string>? settings = null) =>
        new((await StartReplicaProcessAsync(settings)).Channel);

    /// <summary>As <see cref="StartReplicaAsync"/>, returning the process (its captured log, its channel).</summary>
    public async Task<ServiceProcess> StartReplicaProcessAsync(IDictionary<string, string>? settings = null)
    {
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Verification"] = $"Data Source={Path.Combine(System.DataDirectory, "verification-" + Guid.NewGuid().ToString("N") + ".db")}",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return await StartVerificationAsync(env, track: true);
    }

    private async Task<ServiceProcess> StartVerificationAsync(IDictionary<string, string> settings, bool track)
    {
        var env = new Dictionary<string, string>(System.Environment);
        foreach (var (k, v) in settings)
        {
            env[k] = v;
        }

        var process = await ServiceProcess.StartAsync("Verification", ServiceProcess.FreePort(), env);
        if (track)
        {
            lock (_replicas)
            {
                _replicas.Add(process);
            }
        }

        return process;
    }

    /// <summary>Registers a talent and issues a card; returns the card and its static QR text.</summary>
    public async Task<(Card Card, string QrText, V1.Talent Talent)> IssueCardAsync(Tier tier = Tier.A, int validityMonths = 0)
    {
        var (talent, issued) = await System.RegisterWithCardAsync(tier: tier, validityMonths: validityMonths);
        return (issued.Card, issued.QrText, talent);
    }

    /// <summary>Verifies as an agency terminal.</summary>
    public async Task<VerifyResponse> VerifyAsync(string qrText, string agency = "HOSP_PEOPLE", string terminal = "desk-1", VerificationService.VerificationServiceClient? client = null, bool includePhoto = false) =>
        await (client ?? Verification).VerifyAsync(new VerifyRequest { QrText = qrText, IncludePhoto = includePhoto }, System.AsAgency(agency, terminal));

    /// <summary>Polls Verify until it gives <paramref name="expected"/> or the time is up; returns the last answer.</summary>
    public async Task<VerifyResponse> VerifyUntilAsync(string qrText, VerificationOutcome expected, TimeSpan within, VerificationService.VerificationServiceClient? client = null)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            VerifyResponse? last = null;
            try
            {
                last = await VerifyAsync(qrText, client: client);
                if (last.Outcome == expected)
                {
                    return last;
                }
            }
            catch (RpcException) when (DateTime.UtcNow < until)
            {
            }

            if (DateTime.UtcNow >= until)
            {
                return last ?? await VerifyAsync(qrText, client: client);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until the verification service has heard from the registry's feed after now (a heartbeat
    /// or event), i.e. its cache holds every card issued before this call.
    /// </summary>
    public async Task WaitForFeedAsync(string anyValidQrText)
    {
        var since = DateTimeOffset.UtcNow;
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            var reply = await VerifyAsync(anyValidQrText, terminal: "feed-probe");
            if (reply.StateAsOf is { } asOf && asOf.ToDateTimeOffset() >= since)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The verification service did not hear from the registry's feed within 20 s.");
    }

    /// <summary>Signs a token with the registry's own key, for claims the registry would never issue.</summary>
    public string SignWithRegistryKey(string cardNumber, DateTimeOffset issuedAt, DateTimeOffset expiresAt, TokenKind kind = TokenKind.Static, int version = 1) =>
        CardTokenIssuer.Issue(RegistryKey, Claims(cardNumber, issuedAt, expiresAt, kind, version));

    /// <summary>Signs a token with a key nobody trusts.</summary>
    public static string SignWithForeignKey(string cardNumber)
    {
        using var foreign = SigningKey.Generate(DateTimeOffset.UtcNow.AddDays(-1));
        return CardTokenIssuer.Issue(foreign, Claims(cardNumber, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddYears(1), TokenKind.Static, 1));
    }

    private static CardTokenClaims Claims(string cardNumber, DateTimeOffset issuedAt, DateTimeOffset expiresAt, TokenKind kind, int version) => new(
        CardToken.Issuer, cardNumber, Seconds(expiresAt), null, Seconds(issuedAt), RandomNumberGenerator.GetBytes(8), version, CardTier.A, "王*明", kind);

    private static DateTimeOffset Seconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());

    /// <summary>The QR text with one bit of the signature flipped: still well formed, no longer genuine.</summary>
    public static string Tamper(string qrText)
    {
        Assert.True(Base45.TryDecode(qrText.AsSpan(CardToken.Prefix.Length), out var bytes));
        bytes[^5] ^= 0x01;
        return CardToken.Prefix + Base45.Encode(bytes);
    }

    /// <summary>A card number the registry has not issued (serial 999 999 of year 99).</summary>
    public static string NeverIssuedCardNumber() => CardNumber.Create(99, Random.Shared.Next(900_000, 999_999));
}

/// <summary>
/// The system the non-destructive test classes share, with two more verification replicas: one
/// plain (revocation must reach every replica) and one whose clock runs 40 days ahead (expiry).
/// </summary>
public sealed class SharedVerificationSystem : VerificationSystem
{
    public VerificationService.VerificationServiceClient SecondReplica { get; private set; } = null!;

    public VerificationService.VerificationServiceClient FortyDaysLater { get; private set; } = null!;

    private InProcessService<VerificationClock>? _later;

    protected override async Task StartExtraReplicasAsync()
    {
        var second = StartReplicaAsync();
        // In process, so its clock can be replaced: only the clock that judges tokens and cards runs ahead.
        _later = new InProcessService<VerificationClock>(
            new Dictionary<string, string>(System.Environment)
            {
                ["ConnectionStrings__Verification"] = $"Data Source={Path.Combine(System.DataDirectory, "verification-later.db")}",
            },
            services => services.AddSingleton(new VerificationClock(TimeProvider.System, TimeSpan.FromDays(40))));
        var later = _later.StartAsync(TimeSpan.FromSeconds(120));
        SecondReplica = await second;
        FortyDaysLater = new((await later).Channel);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_later is not null)
        {
            await _later.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>The test classes that leave every service running share one system.</summary>
[CollectionDefinition(Name)]
public sealed class SharedSystem : ICollectionFixture<SharedVerificationSystem>
{
    public const string Name = "Shared verification system";
}
