namespace Lingcheng.Talent.Cards;

/// <summary>
/// What a verifier learned from a QR text: the outcome, and whatever it could decode on the way
/// (claims, kid, token id) even when the outcome is not <see cref="TokenOutcome.Valid"/>. Claims
/// of a token whose signature was not verified (<see cref="SignatureVerified"/> false) are
/// unauthenticated: show them to nobody as facts.
/// </summary>
public sealed record TokenCheck
{
    /// <summary>The outcome.</summary>
    public required TokenOutcome Outcome { get; init; }

    /// <summary>The decoded claims, when the claims map was well formed.</summary>
    public CardTokenClaims? Claims { get; init; }

    /// <summary>The kid from the protected header, when one was present.</summary>
    public byte[]? Kid { get; init; }

    /// <summary>The kid in lower-case hex.</summary>
    public string? KidHex => Kid is null ? null : Convert.ToHexStringLower(Kid);

    /// <summary>The raw token id (cti), when it could be read.</summary>
    public byte[]? TokenId { get; init; }

    /// <summary>The trust-list entry the kid named, when there was one.</summary>
    public TrustedKey? Key { get; init; }

    /// <summary>True when a trusted key's signature over the claims verified.</summary>
    public bool SignatureVerified { get; init; }

    /// <summary>When the card state used (if any) was current: the revocation snapshot's time, or the online cache's.</summary>
    public DateTimeOffset? StateAsOf { get; init; }

    /// <summary>A short English reason for a non-valid outcome, for logs and the CLI. Never contains the token.</summary>
    public string? Detail { get; init; }

    /// <summary>True for <see cref="TokenOutcome.Valid"/>.</summary>
    public bool IsValid => Outcome == TokenOutcome.Valid;

    /// <summary>
    /// Folds a card's state into the check. It changes the outcome only of a token whose signature
    /// verified, with this precedence: REVOKED (final, whatever the version or dates), then
    /// SUPERSEDED (a version below <paramref name="minValidVersion"/>: an old card must not work
    /// at all), then SUSPENDED, then the token's own time outcome (VALID, NOT_YET_VALID,
    /// TOKEN_EXPIRED, EXPIRED). The online verification service and <see cref="OfflineVerifier"/>
    /// both use this, so an agency sees the same answer either way.
    /// </summary>
    /// <param name="status">The card's status; null or <see cref="RevocationStatus.Cleared"/> when it is in force.</param>
    /// <param name="minValidVersion">The card's current version (older tokens are superseded).</param>
    /// <param name="stateAsOf">When that state was current.</param>
    public TokenCheck ApplyCardState(RevocationStatus? status, int minValidVersion, DateTimeOffset? stateAsOf)
    {
        if (!SignatureVerified || Claims is null)
        {
            return this with { StateAsOf = stateAsOf };
        }

        var outcome = status switch
        {
            RevocationStatus.Revoked => TokenOutcome.Revoked,
            _ when Claims.CardVersion < minValidVersion => TokenOutcome.Superseded,
            RevocationStatus.Suspended => TokenOutcome.Suspended,
            _ => Outcome,
        };

        return this with
        {
            Outcome = outcome,
            StateAsOf = stateAsOf,
            Detail = outcome == Outcome ? Detail : StateDetail(outcome),
        };
    }

    private static string StateDetail(TokenOutcome outcome) => outcome switch
    {
        TokenOutcome.Revoked => "the card is revoked",
        TokenOutcome.Superseded => "the card was re-issued; this token is of an older card version",
        _ => "the card is suspended",
    };
}
