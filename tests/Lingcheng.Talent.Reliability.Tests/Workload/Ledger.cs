using System.Collections.Concurrent;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Reliability.Tests.Workload;

/// <summary>What a workload card is used for: its state changes, steady redemptions, or one quota race.</summary>
public enum CardPool
{
    /// <summary>Suspended, reinstated and revoked by the state changer.</summary>
    StateChanges,

    /// <summary>Stays ACTIVE; redeemed with fresh ids and repeated ids.</summary>
    Redemptions,

    /// <summary>Stays ACTIVE; used once for concurrent redemptions against a small quota.</summary>
    QuotaRace,
}

/// <summary>A card the registry acknowledged, and the last state change acknowledged for it.</summary>
public sealed class CardRecord(string cardNumber, string talentId, string qrText, CardPool pool, long issuedSequence)
{
    private int _busy;

    public string CardNumber { get; } = cardNumber;

    public string TalentId { get; } = talentId;

    /// <summary>The static QR text of the card's current version (a re-issue replaces it).</summary>
    public string QrText { get; set; } = qrText;

    public CardPool Pool { get; } = pool;

    /// <summary>The state of the last acknowledged change (ACTIVE after the issue).</summary>
    public CardState ExpectedState { get; set; } = CardState.Active;

    /// <summary>The card's last_event_sequence in the last acknowledged answer.</summary>
    public long AcknowledgedSequence { get; set; } = issuedSequence;

    /// <summary>False once a state change was sent but neither acknowledged nor refused (its outcome is unknown).</summary>
    public bool StateKnown { get; set; } = true;

    /// <summary>Set once any Verify answered REVOKED: a revocation is final, so VALID must never follow.</summary>
    public bool RevokedSeen { get; set; }

    /// <summary>Verification ids (audit sequences) of acknowledged verifies of this card.</summary>
    public ConcurrentBag<long> VerificationIds { get; } = [];

    public bool TryReserve() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    public void Release() => Volatile.Write(ref _busy, 0);
}

/// <summary>A redemption id the workload sent, and what came back for it.</summary>
public sealed class RedemptionRecord(string redemptionId, string cardNumber, string benefitCode, string agencyCode)
{
    public string RedemptionId { get; } = redemptionId;

    public string CardNumber { get; } = cardNumber;

    public string BenefitCode { get; } = benefitCode;

    public string AgencyCode { get; } = agencyCode;

    /// <summary>True once a client was told REDEEMED (or ALREADY_REDEEMED on a retry of the same id).</summary>
    public bool Acknowledged { get; set; }

    /// <summary>True when the service answered a refusal (e.g. QUOTA_EXHAUSTED): nothing may be recorded.</summary>
    public bool Refused { get; set; }

    /// <summary>True when every attempt failed: the use may or may not be recorded, but at most once.</summary>
    public bool Unknown { get; set; }

    /// <summary>True once a client was told the use was cancelled (the unit given back).</summary>
    public bool CancelAcknowledged { get; set; }

    /// <summary>True when a cancellation was sent but never answered.</summary>
    public bool CancelUnknown { get; set; }

    private int _cancelling;

    /// <summary>Only one cancellation per use is sent.</summary>
    public bool TryStartCancel() => Interlocked.CompareExchange(ref _cancelling, 1, 0) == 0;
}

/// <summary>
/// Every write a client was told succeeded (an OK answer), with what it was told, so that after
/// the crashes the system can be compared with it. Also counts retries, unknown outcomes and any
/// answer a client would not expect. Thread-safe.
/// </summary>
public sealed class Ledger
{
    private readonly Lock _cardsGate = new();
    private readonly List<CardRecord> _cardList = [];
    private readonly ConcurrentQueue<string> _unexpected = new();

    public ConcurrentDictionary<string, string> Talents { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, CardRecord> Cards { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, RedemptionRecord> Redemptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Acknowledged operations per kind (CreateTalent, IssueCard, SuspendCard, Redeem, Verify, …).</summary>
    public ConcurrentDictionary<string, long> Acknowledged { get; } = new(StringComparer.Ordinal);

    /// <summary>Failed attempts that were retried with the same id, per kind.</summary>
    public ConcurrentDictionary<string, long> Retries { get; } = new(StringComparer.Ordinal);

    /// <summary>Writes whose every attempt failed, per kind.</summary>
    public ConcurrentDictionary<string, long> Unknown { get; } = new(StringComparer.Ordinal);

    /// <summary>Other counted events: refusals, degraded answers, failed reads.</summary>
    public ConcurrentDictionary<string, long> Events { get; } = new(StringComparer.Ordinal);

    /// <summary>Status codes seen on failed attempts, e.g. "Unavailable".</summary>
    public ConcurrentDictionary<string, long> FailureCodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The highest verification id (verification audit sequence) acknowledged to a client.</summary>
    public long MaxVerificationId => Interlocked.Read(ref _maxVerificationId);

    private long _maxVerificationId;

    /// <summary>Answers no client should ever get (wrong outcome, wrong status, a revoked card turning valid).</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected.ToArray();

    public IReadOnlyList<CardRecord> CardList
    {
        get
        {
            lock (_cardsGate)
            {
                return [.. _cardList];
            }
        }
    }

    public void Ack(string kind) => Acknowledged.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Retry(string kind, string code)
    {
        Retries.AddOrUpdate(kind, 1, (_, n) => n + 1);
        FailureCodes.AddOrUpdate(code, 1, (_, n) => n + 1);
    }

    public void GaveUp(string kind) => Unknown.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Count(string what) => Events.AddOrUpdate(what, 1, (_, n) => n + 1);

    public void Problem(string description)
    {
        if (_unexpected.Count < 200)
        {
            _unexpected.Enqueue(description);
        }
    }

    public void AddCard(CardRecord card)
    {
        Cards[card.CardNumber] = card;
        lock (_cardsGate)
        {
            _cardList.Add(card);
        }
    }

    /// <summary>A random acknowledged card of a pool, or null.</summary>
    public CardRecord? PickCard(Func<CardRecord, bool> wanted)
    {
        lock (_cardsGate)
        {
            if (_cardList.Count == 0)
            {
                return null;
            }

            for (var tries = 0; tries < 20; tries++)
            {
                var card = _cardList[Random.Shared.Next(_cardList.Count)];
                if (wanted(card))
                {
                    return card;
                }
            }

            return null;
        }
    }

    public void AckVerification(CardRecord card, long verificationId)
    {
        card.VerificationIds.Add(verificationId);
        long current;
        do
        {
            current = Interlocked.Read(ref _maxVerificationId);
            if (verificationId <= current)
            {
                break;
            }
        }
        while (Interlocked.CompareExchange(ref _maxVerificationId, verificationId, current) != current);
    }

    public long AcknowledgedOf(string kind) => Acknowledged.TryGetValue(kind, out var n) ? n : 0;
}
