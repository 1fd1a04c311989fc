using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using CardNumber = Lingcheng.Talent.Cards.CardNumber;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Entitlements.Cards;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>
/// The entitlement service in process (WebApplicationFactory) on its own temporary SQLite file, with
/// a fake clock, the registry feed consumer switched off, and card states fed through the same
/// <see cref="CardStateStore.ApplyAsync"/> the consumer uses (<see cref="Cards"/>).
/// </summary>
public sealed class EntitlementsHost : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "lct-entitlements-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _settings;
    private GrpcChannel? _channel;

    public EntitlementsHost(IDictionary<string, string?>? settings = null)
    {
        Directory.CreateDirectory(_dataDirectory);
        Tokens = DevelopmentTokens.FromFile(KeyFile, createIfMissing: true);
        _settings = new Dictionary<string, string?>
        {
            ["DataDirectory"] = _dataDirectory,
            ["Auth:DevelopmentKeyFile"] = KeyFile,
            // Development tokens are accepted only when asked for, in Development (the factory's environment).
            ["Auth:DevelopmentTokens"] = "true",
            // The tests' tokens stay valid across years of fake time (As), longer than the 12 h default.
            ["Auth:MaxTokenLifetime"] = "1100.00:00:00",
            ["Entitlements:ConsumeCardEvents"] = "false",
            // Nothing may reach a registry someone else runs on the default port.
            ["Services:Registry"] = "http://127.0.0.1:9",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        Cards = new CardFeed(this);
    }

    /// <summary>The service's clock; starts at the real time so bearer tokens are valid whichever clock checks them.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>What the registry's GetCard fallback answers.</summary>
    public FakeCardLookup Lookup { get; } = new();

    public DevelopmentTokens Tokens { get; }

    public CardFeed Cards { get; }

    public string DataDirectory => _dataDirectory;

    private string KeyFile => Path.Combine(_dataDirectory, "keys", "dev-jwt.key");

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });

    public EntitlementService.EntitlementServiceClient Client => new(Channel);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ICardLookup>(Lookup);
        });
    }

    /// <summary>Call options with a token that stays valid for years of fake time.</summary>
    public CallOptions As(string role, string subject, string? agency = null, string? card = null, string? terminal = null) =>
        new(new Metadata { { "Authorization", "Bearer " + Tokens.Mint(role, subject, agency, card, terminal, lifetime: TimeSpan.FromDays(3 * 366)) } },
            DateTime.UtcNow.AddSeconds(60), TestContext.Current.CancellationToken);

    /// <summary>The verification service's own token (without a terminal's: enough for what it reads).</summary>
    public CallOptions AsService() => As(Roles.Service, "verification");

    /// <summary>
    /// The verification service calling on behalf of the agency's terminal <c>{agency}-desk-1</c>, whose own token it
    /// forwards (issue 25, item 9): what Redeem and CancelRedemption need.
    /// </summary>
    public CallOptions AsService(string agency)
    {
        var options = AsService();
        options.Headers!.Add("lingcheng-on-behalf-of", "Bearer " + Tokens.Mint(Roles.AgencyTerminal, agency + "-desk-1", agency, terminal: agency + "-desk-1",
            lifetime: TimeSpan.FromDays(3 * 366)));
        return options;
    }

    public CallOptions AsHrOfficer() => As(Roles.HrOfficer, "hr-officer-1");

    public CallOptions AsAuditor() => As(Roles.Auditor, "org-auditor-1");

    public CallOptions AsAgency(string agency) => As(Roles.AgencyTerminal, agency + "-desk-1", agency: agency, terminal: "desk-1");

    public CallOptions AsTalent(string cardNumber) => As(Roles.Talent, "talent-" + cardNumber, card: cardNumber);

    /// <summary>A fresh database context on the service's database, to check stored rows.</summary>
    public EntitlementDbContext OpenDatabase() => Services.GetRequiredService<IDbContextFactory<EntitlementDbContext>>().CreateDbContext();

    public EntitlementServiceRedeemRequest RedeemRequest(string card, string benefit, string agency, int version = 1, string? id = null) => new()
    {
        RedemptionId = id ?? "r-" + Guid.NewGuid().ToString("N"),
        CardNumber = card,
        CardVersion = version,
        BenefitCode = benefit,
        AgencyCode = agency,
        TerminalId = agency + "-desk-1",
    };

    public async Task<EntitlementServiceRedeemResponse> RedeemAsync(string card, string benefit, string agency, int version = 1, string? id = null) =>
        await Client.RedeemAsync(RedeemRequest(card, benefit, agency, version, id), AsService(agency));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _channel?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a file still open; the temp folder is cleaned by the OS
        }
    }
}

/// <summary>Registry events for tests: builds full-state CardEvents with increasing sequences and applies them.</summary>
public sealed class CardFeed(EntitlementsHost host)
{
    private static int _serial = Random.Shared.Next(100_000, 800_000);
    private long _sequence;
    private readonly ConcurrentDictionary<string, CardEvent> _latest = new();

    /// <summary>A card number nobody has used in this test run.</summary>
    public static string NewNumber() => CardNumber.Create(26, Interlocked.Increment(ref _serial));

    public async Task<string> IssueAsync(Tier tier = Tier.B, string? number = null, DateTimeOffset? expires = null)
    {
        number ??= NewNumber();
        await ApplyAsync(new CardEvent
        {
            Type = CardEventType.Issued,
            CardNumber = number,
            CardVersion = 1,
            State = CardState.Active,
            Tier = tier,
            HolderDisplayName = "张*明",
            TalentId = "talent-" + number,
            ExpireTime = Timestamp.FromDateTimeOffset(expires ?? DateTimeOffset.UtcNow.AddYears(3)),
        });
        return number;
    }

    public Task RevokeAsync(string number) => ChangeAsync(number, CardEventType.Revoked, e => e.State = CardState.Revoked);

    public Task SuspendAsync(string number) => ChangeAsync(number, CardEventType.Suspended, e => e.State = CardState.Suspended);

    public Task ReissueAsync(string number) => ChangeAsync(number, CardEventType.Reissued, e => e.CardVersion++);

    public Task ChangeTierAsync(string number, Tier tier) => ChangeAsync(number, CardEventType.HolderUpdated, e => e.Tier = tier);

    private Task ChangeAsync(string number, CardEventType type, Action<CardEvent> change)
    {
        var e = _latest[number].Clone();
        e.Type = type;
        change(e);
        return ApplyAsync(e);
    }

    private async Task ApplyAsync(CardEvent e)
    {
        e.Sequence = Interlocked.Increment(ref _sequence);
        e.OccurTime = Timestamp.FromDateTimeOffset(host.Clock.GetUtcNow());
        _latest[e.CardNumber] = e;
        await host.Services.GetRequiredService<CardStateStore>().ApplyAsync([e], CancellationToken.None);
    }
}

/// <summary>The registry's GetCard as tests set it up; counts the calls.</summary>
public sealed class FakeCardLookup : ICardLookup
{
    private readonly ConcurrentDictionary<string, Card> _cards = new();
    private int _calls;

    public int Calls => _calls;

    /// <summary>When set, every lookup fails like a registry that is down.</summary>
    public bool Down { get; set; }

    public void Add(Card card) => _cards[card.CardNumber] = card;

    public Task<Card?> GetCardAsync(string cardNumber, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (Down)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "registry down"));
        }

        return Task.FromResult(_cards.TryGetValue(cardNumber, out var card) ? card : null);
    }
}
