using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Reliability.Tests.Workload;

/// <summary>How hard the workload drives the system. Rates are targets per worker loop; a slow system gets less.</summary>
public sealed record WorkloadOptions
{
    public double IssuesPerSecond { get; init; } = 4;

    public double StateChangesPerSecond { get; init; } = 3;

    public double RedemptionsPerSecond { get; init; } = 6;

    /// <summary>Share of redemption calls that repeat an acknowledged redemption id (must answer ALREADY_REDEEMED).</summary>
    public double RepeatShare { get; init; } = 0.2;

    /// <summary>Share of redemption calls that cancel an acknowledged use instead.</summary>
    public double CancelShare { get; init; } = 0.1;

    public double VerifiesPerSecond { get; init; } = 12;

    public int Verifiers { get; init; } = 2;

    /// <summary>How often a fresh card gets a burst of concurrent redemptions against small quotas.</summary>
    public TimeSpan QuotaRaceEvery { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Concurrent SCENIC_SPOT_ENTRY redemptions per race (the quota is 12 a year).</summary>
    public int QuotaRaceCalls { get; init; } = 16;

    /// <summary>Deadline of one attempt.</summary>
    public TimeSpan CallDeadline { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long writes still in retry may keep retrying after the load stops; then their outcome is unknown.</summary>
    public TimeSpan GiveUpAfterStop { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A steady mixed load through the public RPCs, as clients are told to behave: CreateTalent and
/// IssueCard; SuspendCard, ReinstateCard and RevokeCard; Redeem through the verification service
/// as an agency terminal, with fresh redemption ids, repeats of acknowledged ids, and bursts of
/// concurrent redemptions against small quotas; and Verify. A write that fails (the service was
/// killed, a deadline passed) is retried with the SAME request_id / redemption_id until it is
/// answered, or recorded as unknown once the load has stopped and the grace time is over.
/// Every OK answer goes into the <see cref="Ledger"/>.
/// </summary>
public sealed class MixedWorkload(TalentSystem system, PromptChannels channels, Ledger ledger, WorkloadOptions options)
{
    /// <summary>Unlimited, provided by HOSP_PEOPLE: the steady redemptions.</summary>
    public const string SteadyBenefit = "MEDICAL_GREEN_CHANNEL";

    public const string SteadyAgency = "HOSP_PEOPLE";

    /// <summary>12 per calendar year, provided by CULTOUR: the concurrent quota race.</summary>
    public const string RaceBenefit = "SCENIC_SPOT_ENTRY";

    public const string RaceAgency = "CULTOUR";

    /// <summary>1 per calendar year, provided by three agencies: raced by all three at once.</summary>
    public const string OncePerYearBenefit = "ANNUAL_HEALTH_CHECK";

    public static readonly string[] OncePerYearAgencies = ["HOSP_PEOPLE", "HOSP_TCM", "HEALTH"];

    private readonly ConcurrentQueue<CardRecord> _quotaCards = new();
    private readonly ConcurrentBag<RedemptionRecord> _steadyAcknowledged = [];
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _giveUp = new();
    private int _issued;

    /// <summary>Quota limits of the raced benefits, read from the catalogue at start.</summary>
    public IReadOnlyDictionary<string, int> QuotaLimits { get; private set; } = new Dictionary<string, int>();

    /// <summary>How long the load ran (from start until the stop was asked).</summary>
    public TimeSpan LoadDuration { get; private set; }

    private TalentRegistryService.TalentRegistryServiceClient Registry => channels.Registry;

    private VerificationService.VerificationServiceClient Verification => channels.Verification;

    /// <summary>Runs until <paramref name="stop"/>, then lets the writes in retry finish (or give up).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var benefits = await channels.Entitlements.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 200 }, Options(Hr()));
        QuotaLimits = benefits.Benefits.Where(b => b.Code is RaceBenefit or OncePerYearBenefit).ToDictionary(b => b.Code, b => b.QuotaLimit);

        var clock = Stopwatch.StartNew();
        await using var registration = stop.Register(() =>
        {
            LoadDuration = clock.Elapsed;
            _giveUp.CancelAfter(options.GiveUpAfterStop);
        });
        var loops = new List<Task>
        {
            Loop(options.IssuesPerSecond, IssueOneAsync, stop),
            Loop(options.StateChangesPerSecond, ChangeOneStateAsync, stop),
            Loop(options.RedemptionsPerSecond, RedeemOneAsync, stop),
            Loop(1 / options.QuotaRaceEvery.TotalSeconds, RaceForQuotaAsync, stop),
        };
        for (var i = 0; i < options.Verifiers; i++)
        {
            var terminal = "rel-verify-" + i.ToString(CultureInfo.InvariantCulture);
            loops.Add(Loop(options.VerifiesPerSecond, () => VerifyOneAsync(terminal), stop));
        }

        await Task.WhenAll(loops);
    }

    private static async Task Loop(double perSecond, Func<Task> operation, CancellationToken stop)
    {
        await Task.Yield();
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var clock = Stopwatch.StartNew();
        var next = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            await operation();
            next += interval;
            var now = clock.Elapsed;
            if (next < now)
            {
                next = now; // fell behind (a service was down): carry on at the rate, no burst
            }

            try
            {
                await Task.Delay(next - now, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task IssueOneAsync()
    {
        var tier = (Tier)Random.Shared.Next(1, 5);
        var create = new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent(tier) };
        var created = await CallAsync("CreateTalent", o => Registry.CreateTalentAsync(create, o).ResponseAsync, Hr);
        if (created.Value is not { } talent)
        {
            return;
        }

        ledger.Talents[talent.Talent.TalentId] = talent.Talent.FullName;
        ledger.Ack("CreateTalent");

        var issue = new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.Talent.TalentId };
        var issued = await CallAsync("IssueCard", o => Registry.IssueCardAsync(issue, o).ResponseAsync, Hr);
        if (issued.Value is not { } response)
        {
            return;
        }

        if (response.Card.State != CardState.Active || response.Card.TalentId != issue.TalentId)
        {
            ledger.Problem($"IssueCard for {issue.TalentId} answered card {response.Card.CardNumber} in state {response.Card.State} of talent {response.Card.TalentId}");
        }

        var pool = (Interlocked.Increment(ref _issued) % 5) switch
        {
            0 or 1 => CardPool.StateChanges,
            2 or 3 => CardPool.Redemptions,
            _ => CardPool.QuotaRace,
        };
        var card = new CardRecord(response.Card.CardNumber, response.Card.TalentId, response.QrText, pool, response.Card.LastEventSequence);
        ledger.AddCard(card);
        ledger.Ack("IssueCard");
        if (pool == CardPool.QuotaRace)
        {
            _quotaCards.Enqueue(card);
        }
    }

    private async Task ChangeOneStateAsync()
    {
        var card = ledger.PickCard(c => c.Pool == CardPool.StateChanges && c.StateKnown && c.ExpectedState != CardState.Revoked);
        if (card is null || !card.TryReserve())
        {
            return;
        }

        try
        {
            var dice = Random.Shared.NextDouble();
            var id = SyntheticData.RequestId();
            var number = card.CardNumber;
            const string note = "reliability workload";
            var (kind, target) = dice < 0.2 ? ("RevokeCard", CardState.Revoked)
                : card.ExpectedState == CardState.Active && dice < 0.35 ? ("ReissueCard", CardState.Active)
                : card.ExpectedState == CardState.Active ? ("SuspendCard", CardState.Suspended)
                : ("ReinstateCard", CardState.Active);
            var newQrText = "";
            Func<CallOptions, Task<Card>> call = kind switch
            {
                "ReissueCard" => async o =>
                {
                    var reissued = await Registry.ReissueCardAsync(new ReissueCardRequest { RequestId = id, CardNumber = number, Note = "lost" }, o);
                    newQrText = reissued.QrText;
                    return reissued.Card;
                },
                "RevokeCard" => async o => (await Registry.RevokeCardAsync(new RevokeCardRequest { RequestId = id, CardNumber = number, Reason = RevocationReason.LeftDistrict }, o)).Card,
                "SuspendCard" => async o => (await Registry.SuspendCardAsync(new SuspendCardRequest { RequestId = id, CardNumber = number, Note = note }, o)).Card,
                _ => async o => (await Registry.ReinstateCardAsync(new ReinstateCardRequest { RequestId = id, CardNumber = number, Note = note }, o)).Card,
            };
            var answer = await CallAsync(kind, call, Hr);
            if (answer.Value is not { } changed)
            {
                card.StateKnown = false; // unknown or refused: the card's state is no longer predictable
                return;
            }

            if (changed.State != target)
            {
                ledger.Problem($"{kind} of {card.CardNumber} answered state {changed.State}");
            }

            if (kind == "ReissueCard")
            {
                card.QrText = newQrText; // the old card's QR is now SUPERSEDED
            }

            card.ExpectedState = target;
            card.AcknowledgedSequence = changed.LastEventSequence;
            ledger.Ack(kind);
        }
        finally
        {
            card.Release();
        }
    }

    private async Task RedeemOneAsync()
    {
        if (Random.Shared.NextDouble() < options.RepeatShare && _steadyAcknowledged.TryPeek(out _))
        {
            var all = _steadyAcknowledged.ToArray();
            var first = all[Random.Shared.Next(all.Length)];
            var card = ledger.Cards[first.CardNumber];
            var repeat = new RedeemRequest { QrText = card.QrText, BenefitCode = first.BenefitCode, RedemptionId = first.RedemptionId };
            var answer = await CallAsync("RedeemRepeat", o => Verification.RedeemAsync(repeat, o).ResponseAsync, () => Agency(first.AgencyCode, "rel-desk-1"), Redeemable);
            if (answer.Value is { } again)
            {
                if (again.Status != RedemptionStatus.AlreadyRedeemed || again.Redemption?.RedemptionId != first.RedemptionId || again.Redemption.CardNumber != first.CardNumber)
                {
                    ledger.Problem($"repeat of acknowledged redemption {first.RedemptionId} answered {again.Status} ({again.Redemption?.RedemptionId})");
                }

                ledger.Ack("RedeemRepeat");
            }

            return;
        }

        if (Random.Shared.NextDouble() < options.CancelShare && _steadyAcknowledged.TryPeek(out _))
        {
            var all = _steadyAcknowledged.ToArray();
            await CancelAsync(all[Random.Shared.Next(all.Length)], "rel-desk-1");
            return;
        }

        var target = ledger.PickCard(c => c.Pool == CardPool.Redemptions);
        if (target is null)
        {
            return;
        }

        var record = await RedeemAsync(target, SteadyBenefit, SteadyAgency, "rel-desk-1", "Redeem");
        if (record.Acknowledged)
        {
            _steadyAcknowledged.Add(record);
        }
    }

    private async Task RaceForQuotaAsync()
    {
        if (!_quotaCards.TryDequeue(out var card))
        {
            return;
        }

        var calls = Enumerable.Range(0, options.QuotaRaceCalls)
            .Select(i => RedeemAsync(card, RaceBenefit, RaceAgency, "rel-gate-" + (i % 4).ToString(CultureInfo.InvariantCulture), "RedeemQuota"))
            .Concat(OncePerYearAgencies.Select(a => RedeemAsync(card, OncePerYearBenefit, a, "rel-desk-q", "RedeemQuota")))
            .ToList();
        var records = await Task.WhenAll(calls);
        foreach (var group in records.Where(r => r.Acknowledged).GroupBy(r => r.BenefitCode))
        {
            if (QuotaLimits.TryGetValue(group.Key, out var limit) && group.Count() > limit)
            {
                ledger.Problem($"{group.Count()} uses of {group.Key} (limit {limit}) were acknowledged for card {card.CardNumber}");
            }
        }

        // A cancelled use gives its unit back: with the quota used up, one more use must then be recorded.
        var used = records.Count(r => r.Acknowledged && r.BenefitCode == RaceBenefit);
        if (used == QuotaLimits.GetValueOrDefault(RaceBenefit) && await CancelAsync(records.First(r => r.Acknowledged && r.BenefitCode == RaceBenefit), "rel-gate-0"))
        {
            var again = await RedeemAsync(card, RaceBenefit, RaceAgency, "rel-gate-0", "RedeemQuota");
            if (again.Refused)
            {
                ledger.Problem($"after a cancellation on {card.CardNumber} the unit given back could not be used");
            }
        }
    }

    /// <summary>Cancels an acknowledged use through the verification service, retried with the same id; true when acknowledged.</summary>
    private async Task<bool> CancelAsync(RedemptionRecord use, string terminal)
    {
        if (!use.TryStartCancel())
        {
            return false;
        }

        var request = new CancelRedemptionRequest { RedemptionId = use.RedemptionId, Reason = "entered by mistake" };
        var answer = await CallAsync("CancelRedemption", o => Verification.CancelRedemptionAsync(request, o).ResponseAsync, () => Agency(use.AgencyCode, terminal));
        if (answer.Value is not { } cancelled)
        {
            use.CancelUnknown = true;
            return false;
        }

        if (cancelled.Redemption is not { Cancelled: true } r || r.RedemptionId != use.RedemptionId)
        {
            ledger.Problem($"CancelRedemption {use.RedemptionId} answered {cancelled.Redemption}");
        }

        use.CancelAcknowledged = true;
        ledger.Ack("CancelRedemption");
        return true;
    }

    /// <summary>One redemption with a fresh id, retried with the same id until answered.</summary>
    private async Task<RedemptionRecord> RedeemAsync(CardRecord card, string benefit, string agency, string terminal, string kind)
    {
        var record = new RedemptionRecord("rd-" + Guid.NewGuid().ToString("N"), card.CardNumber, benefit, agency);
        ledger.Redemptions[record.RedemptionId] = record;
        var request = new RedeemRequest { QrText = card.QrText, BenefitCode = benefit, RedemptionId = record.RedemptionId };
        var answer = await CallAsync(kind, o => Verification.RedeemAsync(request, o).ResponseAsync, () => Agency(agency, terminal), Redeemable);
        switch (answer.Value?.Status)
        {
            case null:
                record.Unknown = answer.GaveUp;
                break;
            case RedemptionStatus.Redeemed:
            case RedemptionStatus.AlreadyRedeemed when answer.Attempts > 1:
                // ALREADY_REDEEMED on a retry: the first attempt was recorded and its answer lost.
                if (answer.Value.Status == RedemptionStatus.AlreadyRedeemed)
                {
                    ledger.Count("redemptions acknowledged on retry as ALREADY_REDEEMED");
                    if (answer.Errors.FirstOrDefault(e => e.Contains("nothing was recorded", StringComparison.OrdinalIgnoreCase)) is { } claim)
                    {
                        ledger.Problem($"redemption {record.RedemptionId} was answered \"{claim}\" but it had been recorded");
                    }
                }

                if (answer.Value.Redemption?.RedemptionId != record.RedemptionId || answer.Value.Redemption.CardNumber != card.CardNumber)
                {
                    ledger.Problem($"redemption {record.RedemptionId} answered a use of {answer.Value.Redemption?.RedemptionId} on {answer.Value.Redemption?.CardNumber}");
                }

                record.Acknowledged = true;
                ledger.Ack(kind);
                break;
            case RedemptionStatus.QuotaExhausted when kind == "RedeemQuota":
                record.Refused = true;
                ledger.Count("quota refusals (QUOTA_EXHAUSTED)");
                break;
            default:
                record.Refused = true;
                ledger.Problem($"{kind} {record.RedemptionId} of {benefit} by {agency} on {card.CardNumber} answered {answer.Value.Status} / {answer.Value.Outcome}: {answer.Value.Message}");
                break;
        }

        return record;
    }

    /// <summary>A card just issued may not have reached the verification cache while the registry is down: try again.</summary>
    private RedeemResponse Redeemable(RedeemResponse response)
    {
        if (response is { Status: RedemptionStatus.VerificationFailed, Outcome: VerificationOutcome.UnknownCard })
        {
            ledger.Count("redemptions answered UNKNOWN_CARD (card not yet in the verification cache), retried");
            throw new RpcException(new Status(StatusCode.Unavailable, "card not yet known to the verification service"));
        }

        return response;
    }

    private async Task VerifyOneAsync(string terminal)
    {
        var card = ledger.PickCard(_ => true);
        if (card is null)
        {
            return;
        }

        var revokedBefore = card.RevokedSeen;
        VerifyResponse answer;
        try
        {
            answer = await Verification.VerifyAsync(new VerifyRequest { QrText = card.QrText }, Options(Agency(SteadyAgency, terminal)));
        }
        catch (RpcException ex)
        {
            ledger.Count("verify calls failed (" + ex.StatusCode + ")");
            return;
        }

        ledger.Ack("Verify");
        if (long.TryParse(answer.VerificationId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            ledger.AckVerification(card, id);
        }
        else
        {
            ledger.Problem($"Verify of {card.CardNumber} answered without a verification id");
        }

        var allowed = answer.Outcome is VerificationOutcome.Valid or VerificationOutcome.UnknownCard
            || (card.Pool == CardPool.StateChanges && answer.Outcome is VerificationOutcome.Suspended or VerificationOutcome.Revoked or VerificationOutcome.Superseded);
        if (!allowed)
        {
            ledger.Problem($"Verify of {card.CardNumber} ({card.Pool}) answered {answer.Outcome}: {answer.Message}");
        }

        if (answer.Outcome == VerificationOutcome.Revoked)
        {
            card.RevokedSeen = true;
        }
        else if (revokedBefore)
        {
            ledger.Problem($"Verify of {card.CardNumber} answered {answer.Outcome} after it had answered REVOKED");
        }

        if (answer.Outcome == VerificationOutcome.UnknownCard)
        {
            ledger.Count("verifies answered UNKNOWN_CARD (card not yet in the verification cache)");
        }
        else if (answer.Outcome == VerificationOutcome.Valid && answer.CardNumber != card.CardNumber)
        {
            ledger.Problem($"Verify of {card.CardNumber} answered VALID for {answer.CardNumber}");
        }

        if (answer.Outcome == VerificationOutcome.Valid && !answer.BenefitsAvailable)
        {
            ledger.Count("verifies answered VALID with benefits unavailable");
        }
    }

    /// <summary>The answer of a write, how many attempts it took, and whether it was given up.</summary>
    private readonly record struct Answer<T>(T? Value, int Attempts, bool GaveUp, IReadOnlyList<string> Errors);

    private async Task<Answer<T>> CallAsync<T>(string kind, Func<CallOptions, Task<T>> call, Func<string> token, Func<T, T>? accept = null)
        where T : class
    {
        var errors = new List<string>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await call(Options(token()));
                return new Answer<T>(accept is null ? result : accept(result), attempt, false, errors);
            }
            catch (RpcException ex) when (IsRetryable(ex.StatusCode))
            {
                errors.Add(ex.Status.Detail);
                if (_giveUp.IsCancellationRequested)
                {
                    ledger.GaveUp(kind);
                    return new Answer<T>(null, attempt, true, errors);
                }

                ledger.Retry(kind, ex.StatusCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt) + Random.Shared.Next(0, 100)));
            }
            catch (RpcException ex)
            {
                ledger.Problem($"{kind} refused with {ex.StatusCode}: {ex.Status.Detail}");
                return new Answer<T>(null, attempt, false, errors);
            }
        }
    }

    /// <summary>Codes a client retries with the same id: the service was down, slow, or cut off mid-call.</summary>
    private static bool IsRetryable(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown
            or StatusCode.Cancelled or StatusCode.Aborted or StatusCode.ResourceExhausted;

    private CallOptions Options(string token) => TalentSystem.Bearer(token, options.CallDeadline);

    private string Hr() => _tokens.GetOrAdd("hr", _ => system.Tokens.Mint(Roles.HrOfficer, "reliability-hr"));

    private string Agency(string agency, string terminal) =>
        _tokens.GetOrAdd(agency + "/" + terminal, _ => system.Tokens.Mint(Roles.AgencyTerminal, $"{agency}-{terminal}", agency: agency, terminal: terminal));
}
