using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Registry.Data;
using Grpc.Core;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.Rules.Cards;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Cards;

/// <summary>The registry's side of the card state machine (the rules are <see cref="CardStateRules"/>): its rows, its errors, its messages.</summary>
public static class CardStates
{
    public static CardState Effective(CardEntity card, DateTime now) =>
        CardStateRules.Effective((CardState)card.State, Utc(card.ExpiresAt), Utc(now));

    /// <summary>Throws FAILED_PRECONDITION (reason ILLEGAL_STATE_TRANSITION, metadata current_state) when the action is not allowed.</summary>
    public static void Ensure(CardEntity card, CardAction action, DateTime now)
    {
        var state = Effective(card, now);
        if (!CardStateRules.IsAllowed(action, state))
        {
            throw IllegalTransition(card.CardNumber, state, action);
        }
    }

    public static string Name(CardState state) => CardStateRules.Name(state);

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

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
