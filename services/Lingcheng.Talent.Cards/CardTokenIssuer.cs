using System.Security.Cryptography;
using System.Security.Cryptography.Cose;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// Signs card tokens and returns their QR text (<c>LCT1:</c> + Base45 of a tagged COSE_Sign1).
/// Thread-safe.
/// </summary>
public sealed class CardTokenIssuer(TimeProvider timeProvider)
{
    /// <summary>Lifetime of a dynamic token unless the caller asks otherwise (SPEC §4).</summary>
    public static readonly TimeSpan DefaultDynamicLifetime = TimeSpan.FromSeconds(120);

    // Size of everything in the COSE_Sign1 except the payload and its byte-string header:
    // tag 18 (1) + array(4) (1) + protected bstr {1:-7, 4:h'8 bytes'} (1 + 13) + empty
    // unprotected map (1) + signature bstr (2 + 64).
    private const int CoseOverhead = 1 + 1 + 14 + 1 + 66;

    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>
    /// Issues the static token printed on a card: exp is the card's expiry. The holder's name is
    /// shortened when needed so the QR stays within version 11 at level Q (see <see cref="HolderDisplayName"/>).
    /// </summary>
    public string IssueStatic(SigningKey key, string cardNumber, int cardVersion, Tier tier, string holderDisplayName, DateTimeOffset cardExpiresAt)
    {
        var now = Now();
        return IssueFitted(key, cardNumber, cardVersion, tier, holderDisplayName, now, cardExpiresAt, cardExpiresAt, TokenKind.Static);
    }

    /// <summary>
    /// Issues a dynamic token for the holder's phone: exp is now + <paramref name="lifetime"/>
    /// (default 120 s), never beyond the card's expiry.
    /// </summary>
    public string IssueDynamic(
        SigningKey key,
        string cardNumber,
        int cardVersion,
        Tier tier,
        string holderDisplayName,
        DateTimeOffset cardExpiresAt,
        TimeSpan? lifetime = null)
    {
        var life = lifetime ?? DefaultDynamicLifetime;
        ArgumentOutOfRangeException.ThrowIfLessThan(life, TimeSpan.FromSeconds(1), nameof(lifetime));
        var now = Now();
        var expiresAt = now + TimeSpan.FromSeconds(Math.Ceiling(life.TotalSeconds));
        if (expiresAt > cardExpiresAt)
        {
            expiresAt = cardExpiresAt;
        }

        return IssueFitted(key, cardNumber, cardVersion, tier, holderDisplayName, now, expiresAt, cardExpiresAt, TokenKind.Dynamic);
    }

    /// <summary>
    /// Signs arbitrary, validated claims as they are — no size budget and no name shortening.
    /// For tests, tools and test vectors; services call <see cref="IssueStatic"/> and <see cref="IssueDynamic"/>.
    /// </summary>
    public static string Issue(SigningKey key, CardTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(claims);
        Validate(claims);
        if (!key.IsValidAt(claims.IssuedAt))
        {
            throw new InvalidOperationException($"Signing key {key.KidHex} may not sign at {claims.IssuedAt:O}: verifiers would reject the token.");
        }

        return CardToken.Prefix + Base45.Encode(Sign(key, ClaimsCodec.Encode(claims), contentType: null));
    }

    /// <summary>
    /// Signs a payload as a tagged COSE_Sign1 with ES256 and the key's kid in the protected
    /// header (and a content type there when given).
    /// </summary>
    internal static byte[] Sign(SigningKey key, byte[] payload, string? contentType)
    {
        var protectedHeaders = new CoseHeaderMap();
        if (contentType is not null)
        {
            protectedHeaders.Add(CoseHeaderLabel.ContentType, contentType);
        }

        protectedHeaders.Add(CoseHeaderLabel.KeyIdentifier, CoseHeaderValue.FromBytes(key.KidSpan));
        var signer = new CoseSigner(key.Ecdsa, HashAlgorithmName.SHA256, protectedHeaders);
        return CoseSign1Message.SignEmbedded(payload, signer);
    }

    /// <summary>Length of the QR text for a payload of <paramref name="payloadLength"/> bytes.</summary>
    internal static int QrTextLength(int payloadLength)
    {
        var bstrHeader = payloadLength switch { < 24 => 1, < 256 => 2, < 65536 => 3, _ => 5 };
        return CardToken.Prefix.Length + Base45.GetEncodedLength(CoseOverhead + bstrHeader + payloadLength);
    }

    private string IssueFitted(
        SigningKey key,
        string cardNumber,
        int cardVersion,
        Tier tier,
        string holderDisplayName,
        DateTimeOffset now,
        DateTimeOffset expiresAt,
        DateTimeOffset cardExpiresAt,
        TokenKind kind)
    {
        ArgumentNullException.ThrowIfNull(key);
        HolderDisplayName.Validate(holderDisplayName);
        if (cardExpiresAt <= now)
        {
            throw new ArgumentOutOfRangeException(nameof(cardExpiresAt), "The card has expired: a token for it would never verify.");
        }

        if (!key.IsValidAt(now))
        {
            throw new InvalidOperationException($"Signing key {key.KidHex} may not sign now: verifiers would reject the token.");
        }

        var tokenId = new byte[CardToken.TokenIdLength];
        RandomNumberGenerator.Fill(tokenId);

        // The signature has a fixed length, so the QR text length is known from the payload
        // before signing: try the name as given, then shorter forms, and sign once.
        byte[]? payload = null;
        foreach (var name in HolderDisplayName.ShorterForms(holderDisplayName))
        {
            var claims = new CardTokenClaims(CardToken.Issuer, cardNumber, expiresAt, null, now, tokenId, cardVersion, tier, name, kind);
            Validate(claims);
            payload = ClaimsCodec.Encode(claims);
            if (QrTextLength(payload.Length) <= CardToken.MaxQrTextLengthVersion11Q)
            {
                break;
            }
        }

        // Even "*" did not fit (only an absurd card version can do that): the token is still
        // valid, only its QR is a version larger.
        return CardToken.Prefix + Base45.Encode(Sign(key, payload!, contentType: null));
    }

    private DateTimeOffset Now() =>
        // Token times are whole seconds; truncating here keeps the claims equal to what a
        // verifier decodes.
        DateTimeOffset.FromUnixTimeSeconds(_timeProvider.GetUtcNow().ToUnixTimeSeconds());

    private static void Validate(CardTokenClaims claims)
    {
        ArgumentException.ThrowIfNullOrEmpty(claims.Issuer, nameof(claims));
        if (!CardNumber.IsValid(claims.CardNumber))
        {
            throw new ArgumentException($"'{claims.CardNumber}' is not a valid card number.", nameof(claims));
        }

        if (claims.CardVersion < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(claims), "The card version starts at 1.");
        }

        if (!Enum.IsDefined(claims.Tier))
        {
            throw new ArgumentOutOfRangeException(nameof(claims), "Unknown tier.");
        }

        if (!Enum.IsDefined(claims.Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(claims), "Unknown token kind.");
        }

        if (claims.TokenId is not { Length: CardToken.TokenIdLength })
        {
            throw new ArgumentException("The token id is 8 bytes.", nameof(claims));
        }

        if (claims.ExpiresAt <= claims.IssuedAt)
        {
            throw new ArgumentException("The token expires before it is issued.", nameof(claims));
        }

        HolderDisplayName.Validate(claims.HolderDisplayName);
    }
}
