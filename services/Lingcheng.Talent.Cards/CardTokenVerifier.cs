using System.Buffers;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// Verifies card QR texts offline against a trust list: format, signature, key window and
/// times. Answers every input with a <see cref="TokenCheck"/> and never throws on the text.
/// Thread-safe; create one and share it.
/// </summary>
/// <remarks>
/// Steps, cheapest first so that garbage costs little CPU: length and prefix → Base45 → tagged
/// COSE_Sign1 → protected header (alg ES256, 8-byte kid) → claims map → issuer → kid in the trust
/// list and key not revoked → signature → token iat inside the key's window → nbf/iat → exp.
/// docs/card-token.md lists the outcome of each step.
/// </remarks>
public sealed class CardTokenVerifier
{
    // Base45 bodies up to this many decoded bytes are decoded on the stack.
    private const int StackBufferBytes = 1024;
    private const byte CoseSign1Tag = 0xD2;
    private const byte Es256EncodedAlg = 0x26;
    private const byte KidBstrHeader = 0x40 | CardToken.KidLength;

    private readonly TimeProvider _timeProvider;
    private readonly long _skewSeconds;
    private readonly long _maxQrTextLength;
    private readonly string _expectedIssuer;

    /// <summary>Creates a verifier. Options are copied: later changes to them have no effect.</summary>
    public CardTokenVerifier(TimeProvider timeProvider, CardTokenVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new CardTokenVerifierOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClockSkew, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQrTextLength, CardToken.Prefix.Length, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.ExpectedIssuer, nameof(options));
        _timeProvider = timeProvider;
        _skewSeconds = (long)Math.Ceiling(options.ClockSkew.TotalSeconds);
        _maxQrTextLength = options.MaxQrTextLength;
        _expectedIssuer = options.ExpectedIssuer;
    }

    /// <summary>Verifies a QR text. Never throws because of <paramref name="qrText"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="trustList"/> is null.</exception>
    public TokenCheck Verify(string? qrText, TrustList trustList)
    {
        ArgumentNullException.ThrowIfNull(trustList);
        if (string.IsNullOrEmpty(qrText))
        {
            return Fail(TokenOutcome.Malformed, "the QR text is empty");
        }

        try
        {
            return VerifyText(qrText.AsSpan(), trustList);
        }
        catch (Exception ex) when (ex is CborContentException or CryptographicException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            // The CBOR and COSE readers report bad input by throwing; for a verifier bad input is
            // an outcome, not an error.
            return Fail(TokenOutcome.Malformed, "the token structure is invalid: " + ex.GetType().Name);
        }
    }

    private TokenCheck VerifyText(ReadOnlySpan<char> text, TrustList trustList)
    {
        // Keyboard-wedge scanners end a scan with CR or LF; neither is in the Base45 alphabet,
        // so removing them cannot change a token.
        text = text.TrimEnd("\r\n");
        if (text.Length > _maxQrTextLength)
        {
            return Fail(TokenOutcome.Malformed, "the QR text is longer than any card token");
        }

        if (!text.StartsWith(CardToken.Prefix, StringComparison.Ordinal))
        {
            return IsOtherVersion(text)
                ? Fail(TokenOutcome.UnsupportedVersion, "the token is of a format version this verifier does not know")
                : Fail(TokenOutcome.Malformed, "the QR text does not start with LCT1:");
        }

        var body = text[CardToken.Prefix.Length..];
        var length = Base45.GetDecodedLength(body.Length);
        if (length <= 0)
        {
            return Fail(TokenOutcome.Malformed, "the Base45 text has an invalid length");
        }

        byte[]? rented = null;
        var buffer = length <= StackBufferBytes
            ? stackalloc byte[StackBufferBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            if (!Base45.TryDecode(body, buffer, out var written))
            {
                return Fail(TokenOutcome.Malformed, "the text after LCT1: is not valid Base45");
            }

            return VerifyCose(buffer[..written], trustList);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private TokenCheck VerifyCose(ReadOnlySpan<byte> cose, TrustList trustList)
    {
        if (cose[0] != CoseSign1Tag)
        {
            return Fail(TokenOutcome.Malformed, "not a tagged COSE_Sign1 message (CBOR tag 18)");
        }

        var message = CoseMessage.DecodeSign1(cose);
        var protectedHeaders = message.ProtectedHeaders;
        if (!protectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var alg))
        {
            return Fail(TokenOutcome.Malformed, "the protected header has no alg");
        }

        if (alg.EncodedValue.Span is not [Es256EncodedAlg])
        {
            return Fail(TokenOutcome.UnsupportedVersion, "the signature algorithm is not ES256");
        }

        if (!protectedHeaders.TryGetValue(CoseHeaderLabel.KeyIdentifier, out var kidValue)
            || kidValue.EncodedValue.Span is not [KidBstrHeader, ..] kidEncoded
            || kidEncoded.Length != 1 + CardToken.KidLength)
        {
            return Fail(TokenOutcome.Malformed, "the protected header has no 8-byte kid");
        }

        var kid = kidValue.EncodedValue.Span[1..];
        if (protectedHeaders.Count != 2)
        {
            return Fail(TokenOutcome.Malformed, "the protected header holds more than alg and kid", kid);
        }

        // Unprotected headers are not signed; refusing any keeps one token to one encoding.
        if (message.UnprotectedHeaders.Count != 0)
        {
            return Fail(TokenOutcome.Malformed, "the unprotected header is not empty", kid);
        }

        if (message.Content is not { } content)
        {
            return Fail(TokenOutcome.Malformed, "the payload is detached", kid);
        }

        if (message.Signature.Length != 64)
        {
            return Fail(TokenOutcome.Malformed, "the signature is not 64 bytes", kid);
        }

        var claims = ClaimsCodec.Decode(content, out var tokenId, out var claimsDetail);
        if (claims is null)
        {
            return new TokenCheck { Outcome = TokenOutcome.Malformed, Kid = kid.ToArray(), TokenId = tokenId, Detail = claimsDetail };
        }

        var check = new TokenCheck { Outcome = TokenOutcome.Valid, Claims = claims, Kid = kid.ToArray(), TokenId = tokenId };
        if (!string.Equals(claims.Issuer, _expectedIssuer, StringComparison.Ordinal))
        {
            return check with { Outcome = TokenOutcome.UnknownKey, Detail = "the token was not issued by the expected issuer" };
        }

        if (!trustList.TryGetKey(kid, out var key))
        {
            return check with { Outcome = TokenOutcome.UnknownKey, Detail = "the kid is not in the trust list" };
        }

        check = check with { Key = key };
        if (key.Status == TrustedKeyStatus.Revoked)
        {
            // Nothing a revoked key signed is trusted; the signature is not worth checking.
            return check with { Outcome = TokenOutcome.UnknownKey, Detail = "the signing key is revoked" };
        }

        if (!message.VerifyEmbedded(key.PublicKey, ReadOnlySpan<byte>.Empty))
        {
            return check with { Outcome = TokenOutcome.SignatureInvalid, Detail = "the signature does not verify" };
        }

        check = check with { SignatureVerified = true };
        var issuedAt = claims.IssuedAt.ToUnixTimeSeconds();
        if (!key.AcceptsIssuedAt(issuedAt))
        {
            // A key signs only inside its window; a token dated outside it was signed by a key
            // that should no longer (or not yet) have been used, e.g. a leaked retired key.
            return check with { Outcome = TokenOutcome.UnknownKey, Detail = "the token was issued outside the signing key's validity window" };
        }

        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (!key.TrustsUntil(claims.ExpiresAt.ToUnixTimeSeconds(), now))
        {
            // A retired key is trusted only until the latest expiry it signed: a later exp was not
            // signed by the registry, and after that time nothing it signed can still be valid.
            return check with { Outcome = TokenOutcome.UnknownKey, Detail = "the retired signing key is no longer trusted for this token" };
        }

        if (claims.NotBefore is { } notBefore && notBefore.ToUnixTimeSeconds() > now + _skewSeconds)
        {
            return check with { Outcome = TokenOutcome.NotYetValid, Detail = "the token is not valid yet (nbf)" };
        }

        if (issuedAt > now + _skewSeconds)
        {
            return check with { Outcome = TokenOutcome.NotYetValid, Detail = "the token is issued in the future (iat)" };
        }

        // RFC 8392: exp is the time on or after which the token must not be accepted.
        if (now >= claims.ExpiresAt.ToUnixTimeSeconds() + _skewSeconds)
        {
            return claims.Kind == TokenKind.Dynamic
                ? check with { Outcome = TokenOutcome.TokenExpired, Detail = "the dynamic token has expired; refresh the QR" }
                : check with { Outcome = TokenOutcome.Expired, Detail = "the card has expired" };
        }

        return check;
    }

    private static bool IsOtherVersion(ReadOnlySpan<char> text)
    {
        // LCT<digits>: where the digits are not 1 — a later format this verifier cannot read.
        if (!text.StartsWith("LCT", StringComparison.Ordinal))
        {
            return false;
        }

        var i = 3;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i > 3 && i < text.Length && text[i] == ':';
    }

    private static TokenCheck Fail(TokenOutcome outcome, string detail) => new() { Outcome = outcome, Detail = detail };

    private static TokenCheck Fail(TokenOutcome outcome, string detail, ReadOnlySpan<byte> kid) =>
        new() { Outcome = outcome, Detail = detail, Kid = kid.ToArray() };
}
