using Grpc.Core;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Cards;

/// <summary>
/// The card states this service keeps (brief: cross-service agreements). Events are applied
/// idempotently: an event at or below the stored cursor, or at or below a card's own last sequence,
/// changes nothing, so a replayed stream or a second replica on the same database is harmless.
/// </summary>
public sealed class CardStateStore(
    IDbContextFactory<EntitlementDbContext> contexts,
    ICardLookup lookup,
    CardFeedStatus status,
    TimeProvider time,
    ILogger<CardStateStore> logger)
{
    /// <summary>The last applied event sequence (0 before the first).</summary>
    public async Task<long> GetCursorAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.CardFeedCursor.AsNoTracking().Where(c => c.Id == CardFeedCursorEntity.SingletonId)
            .Select(c => c.LastSequence).FirstOrDefaultAsync(ct);
    }

    /// <summary>When the stored states were last known to be current: this replica's feed, else the stored cursor.</summary>
    public async Task<DateTimeOffset?> GetStateAsOfAsync(EntitlementDbContext db, CancellationToken ct) =>
        status.StateAsOf ?? await db.CardFeedCursor.AsNoTracking().Where(c => c.Id == CardFeedCursorEntity.SingletonId)
            .Select(c => c.LastEventTime).FirstOrDefaultAsync(ct);

    /// <summary>Applies a batch of events in one transaction, in sequence order; returns the new cursor.</summary>
    public async Task<long> ApplyAsync(IReadOnlyList<CardEvent> events, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var (cursor, asOf) = await WriteTransactions.RunAsync(db, async token =>
        {
            var cursor = await db.CardFeedCursor.FirstOrDefaultAsync(c => c.Id == CardFeedCursorEntity.SingletonId, token);
            if (cursor is null)
            {
                cursor = new CardFeedCursorEntity();
                db.CardFeedCursor.Add(cursor);
            }

            var numbers = events.Select(e => e.CardNumber).Distinct().ToList();
            var cards = await db.CardStates.Where(c => numbers.Contains(c.CardNumber)).ToDictionaryAsync(c => c.CardNumber, token);
            foreach (var e in events.OrderBy(e => e.Sequence))
            {
                if (e.Sequence <= cursor.LastSequence)
                {
                    continue;
                }

                cursor.LastSequence = e.Sequence;
                cursor.LastEventTime = e.OccurTime?.ToDateTimeOffset() ?? now;
                if (string.IsNullOrEmpty(e.CardNumber) || e.CardNumber.Length > 16)
                {
                    logger.LogWarning("Skipped card event {Sequence}: malformed card number", e.Sequence);
                    continue;
                }

                if (!cards.TryGetValue(e.CardNumber, out var card))
                {
                    card = new CardStateEntity { CardNumber = e.CardNumber, TalentId = e.TalentId };
                    cards.Add(e.CardNumber, card);
                    db.CardStates.Add(card);
                }
                else if (e.Sequence <= card.LastSequence)
                {
                    continue; // a GetCard fallback already stored a newer state
                }

                card.TalentId = e.TalentId;
                card.Version = e.CardVersion;
                card.State = e.State;
                card.Tier = e.Tier;
                card.ExpireTime = e.ExpireTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
                card.LastSequence = e.Sequence;
                card.ChangedAt = e.OccurTime?.ToDateTimeOffset() ?? now;
            }

            cursor.UpdatedAt = now;
            return (cursor.LastSequence, cursor.LastEventTime);
        }, ct);
        status.Advance(asOf);
        return cursor;
    }

    /// <summary>
    /// The stored state of a card; when it is unknown, or older than the card version a caller
    /// presents, one GetCard to the registry refreshes it. Null when nobody knows the card.
    /// Registry down: the stored state if there is one, else UNAVAILABLE.
    /// </summary>
    public async Task<CardStateEntity?> FindAsync(string cardNumber, int? presentedVersion, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var stored = await db.CardStates.AsNoTracking().FirstOrDefaultAsync(c => c.CardNumber == cardNumber, ct);
        if (stored is not null && (presentedVersion is null || presentedVersion <= stored.Version))
        {
            return stored;
        }

        Card? remote;
        try
        {
            remote = await lookup.GetCardAsync(cardNumber, ct);
        }
        catch (RpcException ex) when (!ct.IsCancellationRequested)
        {
            if (stored is not null)
            {
                logger.LogWarning("Registry GetCard failed ({StatusCode}); using the stored card state", ex.StatusCode);
                return stored;
            }

            throw RpcErrors.Unavailable("REGISTRY_UNAVAILABLE",
                "The card is not known here yet and the registry cannot be reached to look it up; try again shortly.");
        }

        if (remote is null)
        {
            return stored;
        }

        var now = time.GetUtcNow();
        return await WriteTransactions.RunAsync(db, async token =>
        {
            var card = await db.CardStates.FirstOrDefaultAsync(c => c.CardNumber == cardNumber, token);
            if (card is null)
            {
                card = new CardStateEntity { CardNumber = cardNumber, TalentId = remote.TalentId };
                db.CardStates.Add(card);
            }
            else if (remote.LastEventSequence <= card.LastSequence && remote.CardVersion <= card.Version)
            {
                return card; // the feed got there first
            }

            card.TalentId = remote.TalentId;
            card.Version = remote.CardVersion;
            card.State = remote.State;
            card.Tier = remote.Tier;
            card.ExpireTime = remote.ExpireTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
            card.LastSequence = Math.Max(card.LastSequence, remote.LastEventSequence);
            card.ChangedAt = remote.UpdateTime?.ToDateTimeOffset() ?? now;
            return card;
        }, ct);
    }
}
