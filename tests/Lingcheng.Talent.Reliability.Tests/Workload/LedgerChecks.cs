using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Reliability.Tests.Workload;

/// <summary>What the comparison of the ledger with the running system found.</summary>
public sealed class CheckReport
{
    private readonly ConcurrentQueue<string> _problems = new();

    /// <summary>Items checked per check, e.g. "cards found with their acknowledged state" → 412.</summary>
    public ConcurrentDictionary<string, long> Checked { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Problems => [.. _problems];

    public void Pass(string check, long count = 1) => Checked.AddOrUpdate(check, count, (_, n) => n + count);

    public void Fail(string problem)
    {
        if (_problems.Count < 100)
        {
            _problems.Enqueue(problem);
        }
    }
}

/// <summary>
/// Compares what clients were told (the <see cref="Ledger"/>) with what the services answer now,
/// through the public RPCs only: every acknowledged talent, card, state change and redemption is
/// there; no redemption id is recorded twice or unasked; no quota is exceeded; usage statistics
/// count each use once; the three audit chains verify and hold every acknowledged verification;
/// and the verification and entitlement services have caught up with the registry.
/// </summary>
public sealed class LedgerChecks(TalentSystem system, PromptChannels channels, Ledger ledger, IReadOnlyDictionary<string, int> quotaLimits)
{
    private const int Parallelism = 4;

    private TalentRegistryService.TalentRegistryServiceClient Registry => channels.Registry;

    private EntitlementService.EntitlementServiceClient Entitlements => channels.Entitlements;

    private VerificationService.VerificationServiceClient Verification => channels.Verification;

    private readonly string _hr = system.Tokens.Mint(Roles.HrOfficer, "reliability-checker");
    private readonly string _agency = system.Tokens.Mint(Roles.AgencyTerminal, "HOSP_PEOPLE-rel-check", agency: "HOSP_PEOPLE", terminal: "rel-check");

    /// <param name="catchUpWithin">Generous wait for the verification and entitlement caches to reflect every acknowledged state.</param>
    public async Task<CheckReport> RunAsync(TimeSpan catchUpWithin)
    {
        var report = new CheckReport();
        await CheckTalentsAsync(report);
        await CheckCardsAsync(report);
        await CheckRedemptionsAsync(report);
        await CheckAuditChainsAsync(report);
        await CheckVerificationIdsAsync(report);
        await CheckCatchUpAsync(report, catchUpWithin);
        return report;
    }

    private async Task CheckTalentsAsync(CheckReport report) =>
        await Parallel.ForEachAsync(ledger.Talents.Keys, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (id, _) =>
        {
            try
            {
                var talent = (await Registry.GetTalentAsync(new GetTalentRequest { TalentId = id }, Hr())).Talent;
                if (talent.TalentId == id)
                {
                    report.Pass("acknowledged talents found");
                }
                else
                {
                    report.Fail($"GetTalent {id} answered talent {talent.TalentId}");
                }
            }
            catch (RpcException ex)
            {
                report.Fail($"acknowledged talent {id} lost: GetTalent answered {ex.StatusCode}");
            }
        });

    private async Task CheckCardsAsync(CheckReport report)
    {
        await Parallel.ForEachAsync(ledger.CardList, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (expected, _) =>
        {
            Card card;
            try
            {
                card = (await Registry.GetCardAsync(new GetCardRequest { CardNumber = expected.CardNumber }, Hr())).Card;
            }
            catch (RpcException ex)
            {
                report.Fail($"acknowledged card {expected.CardNumber} lost: GetCard answered {ex.StatusCode}");
                return;
            }

            if (card.TalentId != expected.TalentId)
            {
                report.Fail($"card {expected.CardNumber} belongs to {card.TalentId}, acknowledged for {expected.TalentId}");
                return;
            }

            report.Pass("acknowledged cards found");
            if (!expected.StateKnown)
            {
                report.Pass("cards with a state change of unknown outcome (state not compared)");
                return;
            }

            if (card.State != expected.ExpectedState || card.LastEventSequence < expected.AcknowledgedSequence)
            {
                report.Fail($"card {expected.CardNumber} is {card.State} at event {card.LastEventSequence}; acknowledged {expected.ExpectedState} at event {expected.AcknowledgedSequence}");
                return;
            }

            report.Pass("cards in their last acknowledged state (GetCard state and event sequence)");
        });
    }

    private async Task CheckRedemptionsAsync(CheckReport report)
    {
        // Every use recorded on any workload card, read back page by page.
        var recorded = new ConcurrentBag<Redemption>();
        var cards = ledger.CardList.Where(c => c.Pool is CardPool.Redemptions or CardPool.QuotaRace).ToList();
        await Parallel.ForEachAsync(cards, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (card, _) =>
        {
            var token = "";
            do
            {
                var page = await Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber, PageSize = 200, PageToken = token }, Hr());
                foreach (var r in page.Redemptions)
                {
                    recorded.Add(r);
                }

                token = page.NextPageToken;
            }
            while (token.Length > 0);
        });

        var byId = recorded.GroupBy(r => r.RedemptionId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (id, uses) in byId)
        {
            if (uses.Count > 1)
            {
                report.Fail($"redemption id {id} is recorded {uses.Count} times");
            }

            if (!ledger.Redemptions.TryGetValue(id, out var sent))
            {
                report.Fail($"redemption {id} on {uses[0].CardNumber} is recorded but no client sent it");
            }
            else if (sent.Refused)
            {
                report.Fail($"redemption {id} is recorded although the client was told it was refused");
            }
        }

        report.Pass("redemption ids recorded exactly once", byId.Count(g => g.Value.Count == 1));
        foreach (var sent in ledger.Redemptions.Values.Where(r => r.Acknowledged))
        {
            if (!byId.TryGetValue(sent.RedemptionId, out var uses))
            {
                report.Fail($"acknowledged redemption {sent.RedemptionId} ({sent.BenefitCode} on {sent.CardNumber}) is lost");
            }
            else if (uses[0].CardNumber != sent.CardNumber || uses[0].BenefitCode != sent.BenefitCode || uses[0].AgencyCode != sent.AgencyCode)
            {
                report.Fail($"redemption {sent.RedemptionId} is recorded as {uses[0].BenefitCode} by {uses[0].AgencyCode} on {uses[0].CardNumber}");
            }
            else
            {
                report.Pass("acknowledged redemptions found (ListRedemptions)");
            }
        }

        // Cancellations: every acknowledged one is there, and nothing is cancelled that no client cancelled.
        foreach (var (id, uses) in byId)
        {
            var sent = ledger.Redemptions.GetValueOrDefault(id);
            if (sent is { CancelAcknowledged: true } && !uses[0].Cancelled)
            {
                report.Fail($"acknowledged cancellation of {id} is lost: the use is not cancelled");
            }
            else if (uses[0].Cancelled && sent is not ({ CancelAcknowledged: true } or { CancelUnknown: true }))
            {
                report.Fail($"redemption {id} is cancelled but no client cancelled it");
            }
            else if (sent is { CancelAcknowledged: true })
            {
                report.Pass("acknowledged cancellations found (cancelled uses)");
            }
        }

        // Quotas: per card and limited benefit, never more uses than the limit; the service's own count agrees.
        foreach (var card in ledger.CardList.Where(c => c.Pool == CardPool.QuotaRace))
        {
            var entitlements = await Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card.CardNumber }, Hr());
            foreach (var (benefit, limit) in quotaLimits)
            {
                var uses = recorded.Count(r => r.CardNumber == card.CardNumber && r.BenefitCode == benefit && !r.Cancelled);
                var entitlement = entitlements.Entitlements.FirstOrDefault(e => e.BenefitCode == benefit);
                if (uses > limit)
                {
                    report.Fail($"card {card.CardNumber} has {uses} uses of {benefit}, over its quota of {limit}");
                }
                else if (entitlement is null || entitlement.Used != uses || entitlement.Used > entitlement.QuotaLimit)
                {
                    report.Fail($"card {card.CardNumber}: ListCardEntitlements says {entitlement?.Used} of {entitlement?.QuotaLimit} used of {benefit}; {uses} uses are recorded");
                }
                else
                {
                    report.Pass("quota counters within the limit and equal to the recorded uses");
                }
            }
        }

        // Usage statistics count every recorded use once (a double record would show here).
        var statistics = await Entitlements.GetUsageStatisticsAsync(new GetUsageStatisticsRequest(), Hr());
        var counted = statistics.Statistics.GroupBy(s => (s.BenefitCode, s.AgencyCode)).ToDictionary(g => g.Key, g => (g.Sum(s => s.Redemptions), g.Sum(s => s.Cancellations)));
        var actual = recorded.GroupBy(r => (r.BenefitCode, r.AgencyCode)).ToDictionary(g => g.Key, g => ((long)g.Count(r => !r.Cancelled), (long)g.Count(r => r.Cancelled)));
        foreach (var key in counted.Keys.Union(actual.Keys))
        {
            var statistic = counted.GetValueOrDefault(key);
            var uses = actual.GetValueOrDefault(key);
            if (statistic != uses)
            {
                report.Fail($"usage statistics count {statistic.Item1} uses and {statistic.Item2} cancellations of {key.BenefitCode} by {key.AgencyCode}; {uses.Item1} and {uses.Item2} are recorded");
            }
            else
            {
                report.Pass("usage statistics rows equal to the recorded uses");
            }
        }
    }

    private async Task CheckAuditChainsAsync(CheckReport report)
    {
        var registry = (await Registry.VerifyAuditChainAsync(new VerifyAuditChainRequest(), Hr())).Report;
        var entitlements = (await Entitlements.VerifyAuditChainAsync(new EntitlementServiceVerifyAuditChainRequest(), Hr())).Report;
        var verification = (await Verification.VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), Hr())).Report;

        var registryWrites = new[] { "CreateTalent", "IssueCard", "SuspendCard", "ReinstateCard", "RevokeCard", "ReissueCard" }.Sum(ledger.AcknowledgedOf);
        Chain(report, "registry", registry, registryWrites);
        Chain(report, "entitlements", entitlements, ledger.Redemptions.Values.Count(r => r.Acknowledged) + ledger.AcknowledgedOf("RedeemRepeat") + ledger.AcknowledgedOf("CancelRedemption"));
        Chain(report, "verification", verification, ledger.MaxVerificationId);
    }

    private static void Chain(CheckReport report, string service, AuditChainReport chain, long atLeast)
    {
        if (!chain.Intact)
        {
            report.Fail($"the {service} audit chain is broken: {chain.Detail}");
        }
        else if (chain.RecordsChecked < atLeast)
        {
            report.Fail($"the {service} audit chain holds {chain.RecordsChecked} records, fewer than the {atLeast} acknowledged operations it must record");
        }
        else
        {
            report.Pass($"{service} audit chain intact (records)", chain.RecordsChecked);
        }
    }

    /// <summary>Every verification id a terminal was given is in the holder's "who verified my card" list.</summary>
    private async Task CheckVerificationIdsAsync(CheckReport report) =>
        await Parallel.ForEachAsync(ledger.CardList.Where(c => !c.VerificationIds.IsEmpty), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (card, _) =>
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            var token = "";
            do
            {
                var page = await Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = card.CardNumber, PageSize = 200, PageToken = token }, Hr());
                listed.UnionWith(page.Verifications.Select(v => v.VerificationId));
                token = page.NextPageToken;
            }
            while (token.Length > 0);

            foreach (var id in card.VerificationIds)
            {
                if (listed.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                {
                    report.Pass("acknowledged verifications found (ListCardVerifications)");
                }
                else
                {
                    report.Fail($"verification {id} of card {card.CardNumber} was answered but is not recorded");
                }
            }
        });

    /// <summary>
    /// The verification cache and the entitlement service's card states reflect every acknowledged
    /// state (a revoked card verifies REVOKED), within a generous wait for the feeds to catch up.
    /// </summary>
    private async Task CheckCatchUpAsync(CheckReport report, TimeSpan within)
    {
        var pending = ledger.CardList.Where(c => c.StateKnown).ToList();
        var until = Stopwatch.StartNew();
        var lastSeen = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var behind = new ConcurrentBag<CardRecord>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (card, _) =>
            {
                try
                {
                    var verify = await Verification.VerifyAsync(new VerifyRequest { QrText = card.QrText }, Agency());
                    var entitled = await Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = card.CardNumber }, Hr());
                    if (verify.Outcome == Expected(card.ExpectedState) && entitled.CardState == card.ExpectedState)
                    {
                        return;
                    }

                    lastSeen[card.CardNumber] = $"verify {verify.Outcome}, entitlements {entitled.CardState}";
                }
                catch (RpcException ex)
                {
                    lastSeen[card.CardNumber] = ex.StatusCode.ToString();
                }

                behind.Add(card);
            });

            report.Pass("cards whose acknowledged state the verification and entitlement services show", pending.Count - behind.Count);
            pending = [.. behind];
            if (pending.Count == 0 || until.Elapsed > within)
            {
                break;
            }

            await Task.Delay(500);
        }

        foreach (var card in pending)
        {
            report.Fail($"card {card.CardNumber} acknowledged {card.ExpectedState} still shows {lastSeen.GetValueOrDefault(card.CardNumber)} after {within.TotalSeconds:0} s");
        }
    }

    private static VerificationOutcome Expected(CardState state) => state switch
    {
        CardState.Suspended => VerificationOutcome.Suspended,
        CardState.Revoked => VerificationOutcome.Revoked,
        _ => VerificationOutcome.Valid,
    };

    private CallOptions Hr() => TalentSystem.Bearer(_hr, TimeSpan.FromSeconds(30));

    private CallOptions Agency() => TalentSystem.Bearer(_agency, TimeSpan.FromSeconds(30));
}
