using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Registry.Data;
using Grpc.Core;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Cards;

/// <summary>What HR can do to an existing card.</summary>
public enum CardAction
{
    Renew,
    Suspend,
    Reinstate,
    Revoke,
    Reissue,
}

/// <summary>
/// The card state machine (SPEC §3.2). Stored states are ACTIVE, SUSPENDED and REVOKED; a card
/// that is not revoked and whose expiry has passed is EXPIRED. REVOKED wins over EXPIRED: it is
/// final and says more.
/// <code>
///              suspend            revoke
///   ACTIVE  ───────────►  SUSPENDED ─────► REVOKED (final)
///     ▲   ◄───────────        │               ▲
///     │      reinstate        └── reissue ────┤ (version + 1, state kept)
///     │ renew                                 │
///   EXPIRED (derived) ────────── revoke ──────┘
/// </code>
/// Renew: ACTIVE, EXPIRED. Suspend: ACTIVE. Reinstate: SUSPENDED. Revoke: ACTIVE, SUSPENDED,
/// EXPIRED. Re-issue: ACTIVE, SUSPENDED.
/// </summary>
public static class CardStates
{
    public static CardState Effective(CardEntity card, DateTime now) =>
        card.State == (int)CardState.Revoked ? CardState.Revoked
        : card.ExpiresAt <= now ? CardState.Expired
        : (CardState)card.State;

    public static bool IsAllowed(CardAction action, CardState state) => (action, state) switch
    {
        (CardAction.Renew, CardState.Active or CardState.Expired) => true,
        (CardAction.Suspend, CardState.Active) => true,
        (CardAction.Reinstate, CardState.Suspended) => true,
        (CardAction.Revoke, CardState.Active or CardState.Suspended or CardState.Expired) => true,
        (CardAction.Reissue, CardState.Active or CardState.Suspended) => true,
        _ => false,
    };

    /// <summary>Throws FAILED_PRECONDITION (reason ILLEGAL_STATE_TRANSITION, metadata current_state) when the action is not allowed.</summary>
    public static void Ensure(CardEntity card, CardAction action, DateTime now)
    {
        var state = Effective(card, now);
        if (!IsAllowed(action, state))
        {
            throw IllegalTransition(card.CardNumber, state, action);
        }
    }

    public static string Name(CardState state) => state switch
    {
        CardState.Active => "ACTIVE",
        CardState.Suspended => "SUSPENDED",
        CardState.Revoked => "REVOKED",
        CardState.Expired => "EXPIRED",
        _ => "UNSPECIFIED",
    };

    public static RpcException IllegalTransition(string cardNumber, CardState state, CardAction action)
    {
        var verb = action switch
        {
            CardAction.Renew => "renewed",
            CardAction.Suspend => "suspended",
            CardAction.Reinstate => "reinstated",
            CardAction.Revoke => "revoked",
            _ => "re-issued",
        };
        var info = new Google.Rpc.ErrorInfo { Reason = "ILLEGAL_STATE_TRANSITION", Domain = RpcErrors.Domain };
        info.Metadata.Add("current_state", Name(state));
        info.Metadata.Add("card_number", cardNumber);
        return new Google.Rpc.Status
        {
            Code = (int)Google.Rpc.Code.FailedPrecondition,
            Message = $"Card {cardNumber} is {Name(state)}; it cannot be {verb}.",
            Details = { Any.Pack(info) },
        }.ToRpcException();
    }

    public static Card ToProto(CardEntity c, DateTime now)
    {
        var card = new Card
        {
            CardNumber = c.CardNumber,
            TalentId = c.TalentId,
            CardVersion = c.Version,
            State = Effective(c, now),
            Tier = (Tier)c.Tier,
            HolderDisplayName = c.HolderDisplayName,
            IssueTime = Timestamp.FromDateTime(c.IssuedAt),
            ExpireTime = Timestamp.FromDateTime(c.ExpiresAt),
            UpdateTime = Timestamp.FromDateTime(c.UpdatedAt),
            RevocationReason = (RevocationReason)c.RevocationReason,
            StateNote = c.StateNote,
            LastEventSequence = c.LastEventSequence,
        };
        return card;
    }

    public static V1.CardEvent ToProto(CardEventEntity e) => new()
    {
        Sequence = e.Sequence,
        Type = (CardEventType)e.Type,
        CardNumber = e.CardNumber,
        CardVersion = e.CardVersion,
        State = (CardState)e.State,
        Tier = (Tier)e.Tier,
        HolderDisplayName = e.HolderDisplayName,
        ExpireTime = Timestamp.FromDateTime(e.ExpiresAt),
        OccurTime = Timestamp.FromDateTime(e.OccurredAt),
        TalentId = e.TalentId,
        RevocationReason = (RevocationReason)e.RevocationReason,
    };
}
