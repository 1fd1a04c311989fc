using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Events;
using Lingcheng.Talent.Registry.Keys;
using Lingcheng.Talent.Rules.Cards;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.ServiceDefaults.Paging;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using CardsTier = Lingcheng.Talent.Cards.Tier;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Registry.Cards;

/// <summary>
/// The card lifecycle (SPEC §3.2): issue, renew, suspend, reinstate, revoke, re-issue, each one
/// serializable transaction that changes the card, appends a card event with the next sequence,
/// appends an audit record and stores the idempotent response; plus reads, QR and dynamic tokens.
/// </summary>
public sealed class CardLifecycle(
    TalentRegistryDbContext db,
    KeyRing keys,
    CardTokenIssuer issuer,
    CommitSignal signal,
    TimeProvider time,
    IOptions<RegistryOptions> options,
    WriteGate gate,
    IssueBatcher batcher)
{
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public async Task<IssueCardResponse> IssueAsync(IssueCardRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        v.RequestId(request.RequestId);
        v.Check(TalentIds.IsWellFormed(request.TalentId), "talent_id", TalentIds.Requirement);
        var months = ValidityMonths(request.ValidityMonths, v);
        v.ThrowIfAny();

        return await batcher.IssueAsync(request, caller, months, cancellationToken);
    }

    public async Task<RenewCardResponse> RenewAsync(RenewCardRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = Start(request.RequestId, request.CardNumber);
        var months = ValidityMonths(request.ValidityMonths, v);
        v.ThrowIfAny();
        var response = await ChangeAsync("RenewCard", request, request.RequestId, request.CardNumber, CardAction.Renew, CardEventType.Renewed, caller,
            (card, now) =>
            {
                card.ExpiresAt = WholeSeconds(now.AddMonths(months)).UtcDateTime;
                return $"valid {months} months";
            },
            (card, now) => new RenewCardResponse { Card = CardStates.ToProto(card, now) },
            cancellationToken);
        response.QrText = await CurrentStaticTokenAsync(request.CardNumber, cancellationToken);
        return response;
    }

    public Task<SuspendCardResponse> SuspendAsync(SuspendCardRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = Start(request.RequestId, request.CardNumber);
        v.Check(!string.IsNullOrWhiteSpace(request.Note) && request.Note.Length <= 500 && !Echo.HasControlCharacters(request.Note), "note",
            "is required (why the card is suspended), at most 500 characters, without control characters");
        v.ThrowIfAny();
        return ChangeAsync("SuspendCard", request, request.RequestId, request.CardNumber, CardAction.Suspend, CardEventType.Suspended, caller,
            (card, _) =>
            {
                card.State = (int)CardState.Suspended;
                card.StateNote = request.Note.Trim();
                return null;
            },
            (card, now) => new SuspendCardResponse { Card = CardStates.ToProto(card, now) },
            cancellationToken);
    }

    public Task<ReinstateCardResponse> ReinstateAsync(ReinstateCardRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = Start(request.RequestId, request.CardNumber);
        CheckNote(request.Note, v);
        v.ThrowIfAny();
        return ChangeAsync("ReinstateCard", request, request.RequestId, request.CardNumber, CardAction.Reinstate, CardEventType.Reinstated, caller,
            (card, _) =>
            {
                card.State = (int)CardState.Active;
                card.StateNote = request.Note.Trim();
                return null;
            },
            (card, now) => new ReinstateCardResponse { Card = CardStates.ToProto(card, now) },
            cancellationToken);
    }

    public Task<RevokeCardResponse> RevokeAsync(RevokeCardRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = Start(request.RequestId, request.CardNumber);
        v.Check(request.Reason != RevocationReason.Unspecified && System.Enum.IsDefined(request.Reason), "reason",
            "is required: LEFT_DISTRICT, MISCONDUCT, DECEASED, DATA_ERROR or OTHER");
        v.Check(request.Reason != RevocationReason.Other || !string.IsNullOrWhiteSpace(request.Note), "note", "is required when the reason is OTHER");
        CheckNote(request.Note, v);
        v.ThrowIfAny();
        return ChangeAsync("RevokeCard", request, request.RequestId, request.CardNumber, CardAction.Revoke, CardEventType.Revoked, caller,
            (card, _) =>
            {
                card.State = (int)CardState.Revoked;
                card.RevocationReason = (int)request.Reason;
                card.StateNote = request.Note.Trim();
                return $"reason {request.Reason}";
            },
            (card, now) => new RevokeCardResponse { Card = CardStates.ToProto(card, now) },
            cancellationToken);
    }

    public async Task<ReissueCardResponse> ReissueAsync(ReissueCardRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = Start(request.RequestId, request.CardNumber);
        CheckNote(request.Note, v);
        v.ThrowIfAny();
        var response = await ChangeAsync("ReissueCard", request, request.RequestId, request.CardNumber, CardAction.Reissue, CardEventType.Reissued, caller,
            (card, _) =>
            {
                card.Version++;
                card.StateNote = request.Note.Trim();
                return $"version {card.Version}";
            },
            (card, now) => new ReissueCardResponse { Card = CardStates.ToProto(card, now) },
            cancellationToken);
        response.QrText = await CurrentStaticTokenAsync(request.CardNumber, cancellationToken);
        return response;
    }

    public async Task<GetCardResponse> GetAsync(GetCardRequest request, Caller caller, CancellationToken cancellationToken)
    {
        CheckCardNumber(request.CardNumber);
        caller.EnsureMayReadCard(request.CardNumber);
        var card = await Find(request.CardNumber, cancellationToken);
        return new GetCardResponse { Card = CardStates.ToProto(card, time.GetUtcNow().UtcDateTime) };
    }

    public async Task<ListCardsResponse> ListAsync(ListCardsRequest request, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        var size = PageTokens.Size(request.PageSize, v);
        v.Check(System.Enum.IsDefined(request.State), "state", "is not a card state");
        v.Check(System.Enum.IsDefined(request.Tier), "tier", "is not a tier");
        v.Check(request.SignedByKid.Length == 0 || KeyRing.IsKid(request.SignedByKid), "signed_by_kid", KeyRing.KidRequirement);
        v.ThrowIfAny();
        var filters = $"cards|{request.State}|{request.TalentId}|{request.Tier}|{request.SignedByKid}";
        var after = PageTokens.Parse(request.PageToken, "cards", filters);
        var now = time.GetUtcNow().UtcDateTime;

        var query = db.Cards.AsNoTracking();
        if (request.SignedByKid.Length > 0)
        {
            // The reprint report: cards in force whose static token this key signed.
            var key = await db.SigningKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Kid == request.SignedByKid, cancellationToken)
                ?? throw RpcErrors.NotFound("Signing key", request.SignedByKid);
            query = KeyRing.CardsSignedBy(db, key, now).AsNoTracking();
        }

        if (after is not null)
        {
            query = query.Where(c => string.Compare(c.CardNumber, after) > 0);
        }

        if (!string.IsNullOrEmpty(request.TalentId))
        {
            query = query.Where(c => c.TalentId == request.TalentId);
        }

        if (request.Tier != Tier.Unspecified)
        {
            query = query.Where(c => c.Tier == (int)request.Tier);
        }

        query = WhereState(query, request.State, now);
        var page = await query.OrderBy(c => c.CardNumber).Take(size + 1).ToListAsync(cancellationToken);
        var response = new ListCardsResponse();
        response.Cards.AddRange(page.Take(size).Select(c => CardStates.ToProto(c, now)));
        if (page.Count > size)
        {
            response.NextPageToken = PageTokens.Create("cards", filters, page[size - 1].CardNumber);
        }

        return response;
    }

    /// <summary>A card number's events, oldest first, paged by sequence (the event table is indexed by card number).</summary>
    public async Task<ListCardEventsResponse> ListEventsAsync(ListCardEventsRequest request, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        v.Check(CardNumber.IsValid(request.CardNumber), "card_number", "must be a card number such as LC260002310 with a correct check character");
        var size = PageTokens.Size(request.PageSize, v);
        v.ThrowIfAny();
        var filters = "card-events|" + request.CardNumber;
        var after = PageTokens.Parse(request.PageToken, "card-events", filters) is { } key
            ? long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence) ? sequence : throw RpcErrors.InvalidArgument("page_token", "is malformed")
            : 0;
        if (!await db.Cards.AsNoTracking().AnyAsync(c => c.CardNumber == request.CardNumber, cancellationToken))
        {
            throw RpcErrors.NotFound("Card", request.CardNumber);
        }

        var page = await db.CardEvents.AsNoTracking()
            .Where(e => e.CardNumber == request.CardNumber && e.Sequence > after)
            .OrderBy(e => e.Sequence).Take(size + 1).ToListAsync(cancellationToken);
        var response = new ListCardEventsResponse();
        response.Events.AddRange(page.Take(size).Select(CardStates.ToProto));
        if (page.Count > size)
        {
            response.NextPageToken = PageTokens.Create("card-events", filters, page[size - 1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    /// <summary>Cards whose effective state (REVOKED before EXPIRED before the stored state) is <paramref name="state"/>.</summary>
    public static IQueryable<CardEntity> WhereState(IQueryable<CardEntity> query, CardState state, DateTime now) => state switch
    {
        CardState.Active => query.Where(c => c.State == (int)CardState.Active && c.ExpiresAt > now),
        CardState.Suspended => query.Where(c => c.State == (int)CardState.Suspended && c.ExpiresAt > now),
        CardState.Expired => query.Where(c => c.State != (int)CardState.Revoked && c.ExpiresAt <= now),
        CardState.Revoked => query.Where(c => c.State == (int)CardState.Revoked),
        _ => query,
    };

    /// <summary>Renders a fresh static token of the card (current version and expiry) as PNG or SVG.</summary>
    public async Task<RenderCardQrResponse> RenderQrAsync(RenderCardQrRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        v.Check(CardNumber.IsValid(request.CardNumber), "card_number", "must be a card number such as LC260002310 with a correct check character");
        v.Check(request.Format is QrImageFormat.Unspecified or QrImageFormat.Png or QrImageFormat.Svg, "format", "must be PNG or SVG");
        v.Check(request.PixelsPerModule is >= 0 and <= 20, "pixels_per_module", "must be 0–20");
        v.ThrowIfAny();
        caller.EnsureMayReadCard(request.CardNumber);
        var card = await Find(request.CardNumber, cancellationToken);
        var state = CardStates.Effective(card, time.GetUtcNow().UtcDateTime);
        if (state != CardState.Active)
        {
            throw RpcErrors.FailedPrecondition("CARD_NOT_ACTIVE", state == CardState.Suspended
                ? $"Card {card.CardNumber} is SUSPENDED; a QR code is rendered only for an ACTIVE card (reinstate it first)."
                : $"Card {card.CardNumber} is {CardStates.Name(state)}; it has no valid QR code.");
        }

        var key = await keys.GetActiveKeyAsync(cancellationToken);
        var text = StaticToken(key, card);
        await AuditIssuanceAsync(caller, "RenderCardQr", card, $"static token, card_version {card.Version}", cancellationToken, signedBy: key.KidHex);
        var response = new RenderCardQrResponse { QrText = text, QrVersion = QrCodes.GetVersion(text) };
        if (request.Format == QrImageFormat.Svg)
        {
            response.Image = ByteString.CopyFromUtf8(QrCodes.RenderSvg(text));
            response.ContentType = "image/svg+xml";
        }
        else
        {
            response.Image = ByteString.CopyFrom(QrCodes.RenderPng(text, request.PixelsPerModule == 0 ? 8 : request.PixelsPerModule));
            response.ContentType = "image/png";
        }

        return response;
    }

    /// <summary>A short-lived token for the holder's phone: own card only, and only while the card is ACTIVE.</summary>
    public async Task<IssueDynamicTokenResponse> IssueDynamicTokenAsync(IssueDynamicTokenRequest request, Caller caller, CancellationToken cancellationToken)
    {
        CheckCardNumber(request.CardNumber);
        if (!string.Equals(caller.Card, request.CardNumber, StringComparison.Ordinal))
        {
            throw RpcErrors.PermissionDenied("NOT_OWN_CARD", "A talent may obtain dynamic tokens only for their own card.");
        }

        var card = await Find(request.CardNumber, cancellationToken);
        var now = time.GetUtcNow();
        var state = CardStates.Effective(card, now.UtcDateTime);
        if (state != CardState.Active)
        {
            throw RpcErrors.FailedPrecondition("CARD_NOT_ACTIVE", $"Card {card.CardNumber} is {CardStates.Name(state)}; no dynamic token can be issued.");
        }

        var key = await keys.GetActiveKeyAsync(cancellationToken);
        var lifetime = TimeSpan.FromSeconds(Math.Max(1, options.Value.DynamicTokenSeconds));
        var text = issuer.IssueDynamic(key, card.CardNumber, card.Version, (CardsTier)card.Tier, card.HolderDisplayName, card.ExpiresAt, lifetime);
        var expires = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()) + TimeSpan.FromSeconds(Math.Ceiling(lifetime.TotalSeconds));
        if (expires > card.ExpiresAt)
        {
            expires = card.ExpiresAt;
        }

        await AuditIssuanceAsync(caller, "IssueDynamicToken", card, $"dynamic token, card_version {card.Version}, until {expires.UtcDateTime:O}", cancellationToken);
        return new IssueDynamicTokenResponse { QrText = text, ExpireTime = Timestamp.FromDateTimeOffset(expires) };
    }

    /// <summary>
    /// A fresh static token of the card as it is now, or empty when it is not ACTIVE. Responses that
    /// carry a token sign it after the idempotency record is stored, so that store holds no live token.
    /// </summary>
    private async Task<string> CurrentStaticTokenAsync(string cardNumber, CancellationToken cancellationToken)
    {
        var card = await Find(cardNumber, cancellationToken);
        if (CardStates.Effective(card, time.GetUtcNow().UtcDateTime) != CardState.Active)
        {
            return "";
        }

        var key = await keys.GetActiveKeyAsync(cancellationToken);
        var text = StaticToken(key, card);
        await RecordAsync(key.KidHex, card, cancellationToken);
        return text;
    }

    /// <summary>Records which key signed a static token of the card (for the reprint report and the key's trust end).</summary>
    private Task RecordAsync(string kid, CardEntity card, CancellationToken cancellationToken) =>
        gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            await KeyRing.RecordStaticTokenAsync(db, kid, card, time.GetUtcNow().UtcDateTime, ct);
            return true;
        }, cancellationToken), cancellationToken);

    /// <summary>Records that a credential for the card was handed out (who, which card, when); never the token itself.</summary>
    private Task AuditIssuanceAsync(Caller caller, string action, CardEntity card, string detail, CancellationToken cancellationToken, string? signedBy = null) =>
        gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, action, card.CardNumber, "OK", detail), time.GetUtcNow(), ct);
            if (signedBy is not null)
            {
                await KeyRing.RecordStaticTokenAsync(db, signedBy, card, time.GetUtcNow().UtcDateTime, ct);
            }

            return true;
        }, cancellationToken), cancellationToken);

    /// <summary>Adds the next card event for <paramref name="card"/> (sequence max + 1, in this transaction).</summary>
    internal async Task AppendEventAsync(CardEntity card, CardEventType type, DateTimeOffset now, CancellationToken cancellationToken) =>
        await AppendEventAsync(db, card, type, now, cancellationToken);

    internal static async Task AppendEventAsync(TalentRegistryDbContext db, CardEntity card, CardEventType type, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = db.CardEvents.Local.Where(e => db.Entry(e).State == EntityState.Added).Select(e => (long?)e.Sequence).Max();
        var sequence = (pending ?? await db.CardEvents.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0) + 1;
        card.LastEventSequence = sequence;
        db.CardEvents.Add(new CardEventEntity
        {
            Sequence = sequence,
            Type = (int)type,
            CardNumber = card.CardNumber,
            CardVersion = card.Version,
            State = card.State,
            Tier = card.Tier,
            HolderDisplayName = card.HolderDisplayName,
            ExpiresAt = card.ExpiresAt,
            OccurredAt = now.UtcDateTime,
            TalentId = card.TalentId,
            RevocationReason = card.RevocationReason,
        });
    }

    private async Task<TResponse> ChangeAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        string requestId,
        string cardNumber,
        CardAction action,
        CardEventType eventType,
        Caller caller,
        Func<CardEntity, DateTimeOffset, string?> change,
        Func<CardEntity, DateTime, TResponse> respond,
        CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : class, IMessage<TResponse>, new()
    {
        var response = await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            if (await Idempotency.FindAsync<TResponse>(db, operation, requestId, request, ct) is { } first)
            {
                return first;
            }

            var card = await db.Cards.SingleOrDefaultAsync(c => c.CardNumber == cardNumber, ct) ?? throw RpcErrors.NotFound("Card", cardNumber);
            var now = time.GetUtcNow();
            CardStates.Ensure(card, action, now.UtcDateTime);
            var detail = change(card, now);
            card.UpdatedAt = now.UtcDateTime;
            await AppendEventAsync(card, eventType, now, ct);
            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, operation, card.CardNumber, "OK", detail), now, ct);
            var result = respond(card, now.UtcDateTime);
            Idempotency.Add(db, operation, requestId, request, result, now);
            return result;
        }, cancellationToken), cancellationToken);
        signal.Notify();
        return response;
    }

    private string StaticToken(SigningKey key, CardEntity card) =>
        issuer.IssueStatic(key, card.CardNumber, card.Version, (CardsTier)card.Tier, card.HolderDisplayName, card.ExpiresAt);

    private async Task<CardEntity> Find(string cardNumber, CancellationToken cancellationToken) =>
        await db.Cards.AsNoTracking().SingleOrDefaultAsync(c => c.CardNumber == cardNumber, cancellationToken)
        ?? throw RpcErrors.NotFound("Card", cardNumber);

    private static FieldViolations Start(string requestId, string cardNumber)
    {
        var v = new FieldViolations();
        v.RequestId(requestId);
        v.Check(CardNumber.IsValid(cardNumber), "card_number", "must be a card number such as LC260002310 with a correct check character");
        return v;
    }

    private static void CheckNote(string note, FieldViolations v) =>
        v.Check(note.Length <= 500 && !Echo.HasControlCharacters(note), "note", "must be at most 500 characters, without control characters");

    private static void CheckCardNumber(string cardNumber)
    {
        if (!CardNumber.IsValid(cardNumber))
        {
            throw RpcErrors.InvalidArgument("card_number", "must be a card number such as LC260002310 with a correct check character");
        }
    }

    private int ValidityMonths(int requested, FieldViolations v)
    {
        var max = options.Value.MaxCardValidityMonths;
        v.Check(requested >= 0 && requested <= max, "validity_months", $"must be 1–{max}, or 0 for the default");
        return requested == 0 ? options.Value.CardValidityMonths : requested;
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
