using System.Formats.Cbor;

namespace Lingcheng.Talent.Cards;

/// <summary>Encodes and decodes the CWT claims map of a card token.</summary>
internal static class ClaimsCodec
{
    // DateTimeOffset's range in Unix seconds: times outside it cannot be represented, so a
    // claim outside it is malformed rather than an exception.
    private const long MinUnixSeconds = -62_135_596_800;
    private const long MaxUnixSeconds = 253_402_300_799;

    public static byte[] Encode(CardTokenClaims claims)
    {
        // Canonical mode: definite lengths, shortest integer forms, keys in the deterministic
        // order (1, 2, 4, 5, 6, 7, then -70001 … -70004), so one set of claims has one encoding.
        var writer = new CborWriter(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false, allowMultipleRootLevelValues: false);
        writer.WriteStartMap(claims.NotBefore is null ? 9 : 10);
        writer.WriteInt32(CardToken.ClaimKeys.Issuer);
        writer.WriteTextString(claims.Issuer);
        writer.WriteInt32(CardToken.ClaimKeys.Subject);
        writer.WriteTextString(claims.CardNumber);
        writer.WriteInt32(CardToken.ClaimKeys.ExpiresAt);
        writer.WriteInt64(claims.ExpiresAt.ToUnixTimeSeconds());
        if (claims.NotBefore is { } notBefore)
        {
            writer.WriteInt32(CardToken.ClaimKeys.NotBefore);
            writer.WriteInt64(notBefore.ToUnixTimeSeconds());
        }

        writer.WriteInt32(CardToken.ClaimKeys.IssuedAt);
        writer.WriteInt64(claims.IssuedAt.ToUnixTimeSeconds());
        writer.WriteInt32(CardToken.ClaimKeys.TokenId);
        writer.WriteByteString(claims.TokenId);
        writer.WriteInt32(CardToken.ClaimKeys.CardVersion);
        writer.WriteInt32(claims.CardVersion);
        writer.WriteInt32(CardToken.ClaimKeys.Tier);
        writer.WriteInt32((int)claims.Tier);
        writer.WriteInt32(CardToken.ClaimKeys.HolderDisplayName);
        writer.WriteTextString(claims.HolderDisplayName);
        writer.WriteInt32(CardToken.ClaimKeys.Kind);
        writer.WriteInt32((int)claims.Kind);
        writer.WriteEndMap();
        return writer.Encode();
    }

    /// <summary>
    /// Decodes a claims map. On failure <paramref name="detail"/> says why; the token id is
    /// returned whenever it was read, so an audit can name a token whose other claims are bad.
    /// </summary>
    /// <exception cref="CborContentException">Not well-formed CBOR, or a duplicate key (strict mode).</exception>
    /// <exception cref="InvalidOperationException">The reader met an unexpected data item.</exception>
    /// <exception cref="OverflowException">An integer beyond 64 bits.</exception>
    public static CardTokenClaims? Decode(ReadOnlyMemory<byte> payload, out byte[]? tokenId, out string? detail)
    {
        tokenId = null;

        // Strict mode rejects duplicate keys: a map with two `sub` claims must not mean
        // different things to different verifiers.
        var reader = new CborReader(payload, CborConformanceMode.Strict);
        if (reader.PeekState() != CborReaderState.StartMap)
        {
            detail = "the payload is not a CBOR map";
            return null;
        }

        reader.ReadStartMap();
        string? issuer = null, subject = null, name = null;
        long? exp = null, nbf = null, iat = null, version = null, tier = null, kind = null;

        while (reader.PeekState() != CborReaderState.EndMap)
        {
            var keyState = reader.PeekState();
            if (keyState is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
            {
                // Claims this version does not know are ignored, as RFC 8392 asks.
                reader.SkipValue();
                reader.SkipValue();
                continue;
            }

            var key = reader.ReadInt64();
            switch (key)
            {
                case CardToken.ClaimKeys.Issuer:
                    if (!TryReadIssuer(reader, out issuer))
                    {
                        detail = "claim 1 (iss) is not a text string";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.Subject:
                    if (!TryReadText(reader, out subject))
                    {
                        detail = "claim 2 (sub) is not a text string";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.ExpiresAt:
                    if (!TryReadTime(reader, out exp))
                    {
                        detail = "claim 4 (exp) is not an integer time";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.NotBefore:
                    if (!TryReadTime(reader, out nbf))
                    {
                        detail = "claim 5 (nbf) is not an integer time";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.IssuedAt:
                    if (!TryReadTime(reader, out iat))
                    {
                        detail = "claim 6 (iat) is not an integer time";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.TokenId:
                    if (reader.PeekState() != CborReaderState.ByteString)
                    {
                        detail = "claim 7 (cti) is not a byte string";
                        return null;
                    }

                    var cti = reader.ReadByteString();
                    if (cti.Length != CardToken.TokenIdLength)
                    {
                        detail = "claim 7 (cti) is not 8 bytes";
                        return null;
                    }

                    tokenId = cti;
                    break;
                case CardToken.ClaimKeys.CardVersion:
                    if (!TryReadInteger(reader, out version))
                    {
                        detail = "claim -70001 (card version) is not an integer";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.Tier:
                    if (!TryReadInteger(reader, out tier))
                    {
                        detail = "claim -70002 (tier) is not an integer";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.HolderDisplayName:
                    if (!TryReadText(reader, out name))
                    {
                        detail = "claim -70003 (holder display name) is not a text string";
                        return null;
                    }

                    break;
                case CardToken.ClaimKeys.Kind:
                    if (!TryReadInteger(reader, out kind))
                    {
                        detail = "claim -70004 (token kind) is not an integer";
                        return null;
                    }

                    break;
                default:
                    reader.SkipValue();
                    break;
            }
        }

        reader.ReadEndMap();
        if (reader.BytesRemaining != 0)
        {
            detail = "bytes after the claims map";
            return null;
        }

        detail = (issuer, subject, exp, iat, tokenId, version, tier, name, kind) switch
        {
            (null, _, _, _, _, _, _, _, _) => "claim 1 (iss) is missing",
            (_, null, _, _, _, _, _, _, _) => "claim 2 (sub) is missing",
            (_, _, null, _, _, _, _, _, _) => "claim 4 (exp) is missing",
            (_, _, _, null, _, _, _, _, _) => "claim 6 (iat) is missing",
            (_, _, _, _, null, _, _, _, _) => "claim 7 (cti) is missing",
            (_, _, _, _, _, null, _, _, _) => "claim -70001 (card version) is missing",
            (_, _, _, _, _, _, null, _, _) => "claim -70002 (tier) is missing",
            (_, _, _, _, _, _, _, null, _) => "claim -70003 (holder display name) is missing",
            (_, _, _, _, _, _, _, _, null) => "claim -70004 (token kind) is missing",
            _ => null,
        };
        if (detail is not null)
        {
            return null;
        }

        if (!CardNumber.IsValid(subject))
        {
            detail = "claim 2 (sub) is not a valid card number";
            return null;
        }

        if (version is < 1 or > int.MaxValue)
        {
            detail = "claim -70001 (card version) is out of range";
            return null;
        }

        if (tier is < (int)Tier.A or > (int)Tier.D)
        {
            detail = "claim -70002 (tier) is out of range";
            return null;
        }

        if (kind is not ((int)TokenKind.Static or (int)TokenKind.Dynamic))
        {
            detail = "claim -70004 (token kind) is out of range";
            return null;
        }

        return new CardTokenClaims(
            issuer!,
            subject!,
            DateTimeOffset.FromUnixTimeSeconds(exp!.Value),
            nbf is { } n ? DateTimeOffset.FromUnixTimeSeconds(n) : null,
            DateTimeOffset.FromUnixTimeSeconds(iat!.Value),
            tokenId!,
            (int)version!.Value,
            (Tier)tier!.Value,
            name!,
            (TokenKind)kind!.Value);
    }

    private static bool TryReadIssuer(CborReader reader, out string? issuer)
    {
        if (!TryReadText(reader, out issuer))
        {
            return false;
        }

        // Nearly every token carries our issuer: keep one string instance for it.
        if (issuer == CardToken.Issuer)
        {
            issuer = CardToken.Issuer;
        }

        return true;
    }

    private static bool TryReadText(CborReader reader, out string? value)
    {
        if (reader.PeekState() != CborReaderState.TextString)
        {
            value = null;
            return false;
        }

        value = reader.ReadTextString();
        return true;
    }

    private static bool TryReadInteger(CborReader reader, out long? value)
    {
        if (reader.PeekState() is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
        {
            value = null;
            return false;
        }

        value = reader.ReadInt64();
        return true;
    }

    private static bool TryReadTime(CborReader reader, out long? value) =>
        TryReadInteger(reader, out value) && value is >= MinUnixSeconds and <= MaxUnixSeconds;
}
