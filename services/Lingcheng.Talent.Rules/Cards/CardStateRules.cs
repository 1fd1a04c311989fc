using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Rules.Cards;

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
/// The card state machine (docs/requirements.md §3.2), the one copy the registry and the entitlement
/// service judge a card by. Stored states are ACTIVE, SUSPENDED and REVOKED; a card that is not revoked
/// and whose expiry has passed is EXPIRED, suspended or not. REVOKED wins over EXPIRED: it is final and
/// says more.
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
public static class CardStateRules
{
    /// <summary>The state a caller sees at <paramref name="now"/> of a card stored as <paramref name="stored"/> that expires at <paramref name="expiresAt"/>.</summary>
    public static CardState Effective(CardState stored, DateTimeOffset expiresAt, DateTimeOffset now) =>
        stored == CardState.Revoked ? CardState.Revoked
        : expiresAt <= now ? CardState.Expired
        : stored;

    public static bool IsAllowed(CardAction action, CardState state) => (action, state) switch
    {
        (CardAction.Renew, CardState.Active or CardState.Expired) => true,
        (CardAction.Suspend, CardState.Active) => true,
        (CardAction.Reinstate, CardState.Suspended) => true,
        (CardAction.Revoke, CardState.Active or CardState.Suspended or CardState.Expired) => true,
        (CardAction.Reissue, CardState.Active or CardState.Suspended) => true,
        _ => false,
    };

    /// <summary>The state's proto name without its prefix, e.g. ACTIVE (UNSPECIFIED for a number the contract does not define).</summary>
    public static string Name(CardState state) => ProtoNames.Short(state, "UNSPECIFIED");
}
