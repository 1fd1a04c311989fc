namespace Lingcheng.Talent.Cards;

/// <summary>
/// Verifies a card QR text with nothing but a trust list and a verified revocation snapshot —
/// what an agency's own software does offline. Decides every outcome except UNKNOWN_CARD, which
/// needs the registry.
/// </summary>
public sealed class OfflineVerifier(TimeProvider timeProvider, CardTokenVerifierOptions? options = null)
{
    private readonly CardTokenVerifier _tokens = new(timeProvider, options);

    /// <summary>
    /// Verifies the token, then folds in the card's entry from <paramref name="snapshot"/> with
    /// <see cref="TokenCheck.ApplyCardState"/> (REVOKED, SUPERSEDED, SUSPENDED). Never throws
    /// because of <paramref name="qrText"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="snapshot"/> is a delta: apply it to a full snapshot first.</exception>
    public TokenCheck Verify(string? qrText, TrustList trustList, RevocationSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.IsDelta)
        {
            throw new ArgumentException("Verify against a full snapshot; apply deltas to it first.", nameof(snapshot));
        }

        var check = _tokens.Verify(qrText, trustList);
        if (check.Claims is { } claims && snapshot.TryGetEntry(claims.CardNumber, out var entry))
        {
            return check.ApplyCardState(entry.Status, entry.MinValidVersion, snapshot.IssuedAt);
        }

        return check.ApplyCardState(null, 1, snapshot.IssuedAt);
    }
}
