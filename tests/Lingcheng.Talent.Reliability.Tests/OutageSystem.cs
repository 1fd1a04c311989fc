using System.Diagnostics;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Reliability.Tests;

/// <summary>
/// The three services shared by the outage tests, which each take one service down and bring it
/// back; a test first restarts anything an earlier failed test left down.
/// </summary>
public sealed class OutageSystem : IAsyncLifetime
{
    public const string Benefit = "MEDICAL_GREEN_CHANNEL";
    public const string Agency = "HOSP_PEOPLE";

    private string _hr = "";
    private PromptChannels _channels = null!;

    public TalentSystem System { get; private set; } = null!;

    public TalentRegistryService.TalentRegistryServiceClient Registry => _channels.Registry;

    public EntitlementService.EntitlementServiceClient Entitlements => _channels.Entitlements;

    public VerificationService.VerificationServiceClient Verification => _channels.Verification;

    public async ValueTask InitializeAsync()
    {
        System = await ReliabilitySystem.StartAsync();
        _channels = new PromptChannels(System);
        _hr = System.Tokens.Mint(Roles.HrOfficer, "reliability-hr");
    }

    public async ValueTask DisposeAsync()
    {
        if (System is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("LCT_TEST_LOGS") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            await File.WriteAllTextAsync(Path.Combine(logs, "outages-services.log"), System.AllOutput);
        }

        _channels?.Dispose();
        await System.DisposeAsync();
    }

    /// <summary>Restarts any service an earlier test left killed.</summary>
    public async Task EnsureRunningAsync()
    {
        foreach (var service in new[] { System.Registry!, System.Entitlements!, System.Verification! })
        {
            if (!service.IsRunning)
            {
                await service.RestartAsync();
            }
        }
    }

    public CallOptions Hr(TimeSpan? deadline = null) => TalentSystem.Bearer(_hr, deadline ?? TimeSpan.FromSeconds(30));

    public CallOptions AsAgency(string terminal, string agency = Agency) =>
        TalentSystem.Bearer(System.Tokens.Mint(Roles.AgencyTerminal, $"{agency}-{terminal}", agency: agency, terminal: terminal), TimeSpan.FromSeconds(15));

    /// <summary>Registers a talent and issues a card; returns the card and its QR text.</summary>
    public async Task<(Card Card, string QrText)> IssueAsync()
    {
        var talent = (await Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent(Tier.B) }, Hr())).Talent;
        var issued = await Registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, Hr());
        return (issued.Card, issued.QrText);
    }

    /// <summary>Suspends, reinstates or revokes a card; returns the card as the registry acknowledged it.</summary>
    public async Task<Card> ChangeAsync(string cardNumber, CardState target) => target switch
    {
        CardState.Suspended => (await Registry.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = cardNumber, Note = "outage test" }, Hr())).Card,
        CardState.Revoked => (await Registry.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = cardNumber, Reason = RevocationReason.LeftDistrict }, Hr())).Card,
        _ => (await Registry.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = cardNumber }, Hr())).Card,
    };

    public async Task<VerifyResponse> VerifyAsync(string qrText, string terminal = "rel-outage") =>
        await Verification.VerifyAsync(new VerifyRequest { QrText = qrText }, AsAgency(terminal));

    public async Task<RedeemResponse> RedeemAsync(string qrText, string redemptionId, string terminal = "rel-outage") =>
        await Verification.RedeemAsync(new RedeemRequest { QrText = qrText, BenefitCode = Benefit, RedemptionId = redemptionId }, AsAgency(terminal));

    /// <summary>Every use recorded on a card, all pages.</summary>
    public async Task<List<Redemption>> RedemptionsAsync(string cardNumber)
    {
        var all = new List<Redemption>();
        var token = "";
        do
        {
            var page = await Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = cardNumber, PageSize = 200, PageToken = token }, Hr());
            all.AddRange(page.Redemptions);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }

    /// <summary>
    /// Waits (generously: the feeds reconnect with backoff) until Verify shows each card's state
    /// and, with <paramref name="entitlementsToo"/>, the entitlement service holds it too. Returns
    /// the cards still behind when the time is up, with what they showed; empty when all caught up.
    /// </summary>
    public async Task<List<string>> WaitUntilShownAsync(IReadOnlyCollection<(string Card, string QrText, CardState State)> cards, TimeSpan within, bool entitlementsToo = true)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var behind = new List<string>();
            foreach (var (card, qr, state) in cards)
            {
                try
                {
                    var verify = await VerifyAsync(qr, "rel-catch-up");
                    var held = entitlementsToo
                        ? (await Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card }, Hr())).CardState
                        : state;
                    if (verify.Outcome != Outcome(state) || held != state)
                    {
                        behind.Add($"{card} acknowledged {state}: verify {verify.Outcome}, entitlements {held}");
                    }
                }
                catch (RpcException ex)
                {
                    behind.Add($"{card} acknowledged {state}: {ex.StatusCode}");
                }
            }

            if (behind.Count == 0 || clock.Elapsed > within)
            {
                return behind;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    public static VerificationOutcome Outcome(CardState state) => state switch
    {
        CardState.Suspended => VerificationOutcome.Suspended,
        CardState.Revoked => VerificationOutcome.Revoked,
        _ => VerificationOutcome.Valid,
    };
}
