namespace Lingcheng.Talent.Cards;

/// <summary>
/// The claims of a card token (the CWT claims map of SPEC §4). Times are whole seconds.
/// </summary>
/// <param name="Issuer">Claim 1, <see cref="CardToken.Issuer"/>.</param>
/// <param name="CardNumber">Claim 2 (sub), the card number.</param>
/// <param name="ExpiresAt">Claim 4: the card's expiry (static) or the token's (dynamic).</param>
/// <param name="NotBefore">Claim 5, optional.</param>
/// <param name="IssuedAt">Claim 6, when this token was signed.</param>
/// <param name="TokenId">Claim 7 (cti), 8 random bytes.</param>
/// <param name="CardVersion">Claim -70001, 1 and up, +1 on each re-issue.</param>
/// <param name="Tier">Claim -70002.</param>
/// <param name="HolderDisplayName">Claim -70003, the masked name.</param>
/// <param name="Kind">Claim -70004.</param>
public sealed record CardTokenClaims(
    string Issuer,
    string CardNumber,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? NotBefore,
    DateTimeOffset IssuedAt,
    byte[] TokenId,
    int CardVersion,
    Tier Tier,
    string HolderDisplayName,
    TokenKind Kind)
{
    /// <summary>The token id in lower-case hex, for logs and audit records.</summary>
    public string TokenIdHex => Convert.ToHexStringLower(TokenId);

    /// <summary>Value equality, comparing the token id by content.</summary>
    public bool Equals(CardTokenClaims? other) =>
        other is not null
        && Issuer == other.Issuer
        && CardNumber == other.CardNumber
        && ExpiresAt == other.ExpiresAt
        && NotBefore == other.NotBefore
        && IssuedAt == other.IssuedAt
        && TokenId.AsSpan().SequenceEqual(other.TokenId)
        && CardVersion == other.CardVersion
        && Tier == other.Tier
        && HolderDisplayName == other.HolderDisplayName
        && Kind == other.Kind;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(CardNumber, IssuedAt, TokenIdHex, CardVersion, Kind);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        // The holder's name stays out of ToString so that logging a claims object logs no name.
        builder.Append("Issuer = ").Append(Issuer)
            .Append(", CardNumber = ").Append(CardNumber)
            .Append(", ExpiresAt = ").Append(ExpiresAt.ToUnixTimeSeconds())
            .Append(", NotBefore = ").Append(NotBefore?.ToUnixTimeSeconds())
            .Append(", IssuedAt = ").Append(IssuedAt.ToUnixTimeSeconds())
            .Append(", TokenId = ").Append(TokenIdHex)
            .Append(", CardVersion = ").Append(CardVersion)
            .Append(", Tier = ").Append(Tier)
            .Append(", Kind = ").Append(Kind);
        return true;
    }
}
