namespace Lingcheng.Talent.Cards;

/// <summary>
/// The outcome of verifying a card QR text (SPEC §5.3). The token verifier decides the first
/// nine offline; <see cref="Suspended"/>, <see cref="Revoked"/> and <see cref="Superseded"/> need
/// the card's state (a revocation snapshot offline, the registry's event feed online), and
/// <see cref="UnknownCard"/> needs the registry.
/// </summary>
public enum TokenOutcome
{
    /// <summary>Genuine, in date and (where the state was checked) in force.</summary>
    Valid = 0,

    /// <summary>Not a card token: empty, too long, bad prefix, bad Base45, bad CBOR/COSE, bad claims.</summary>
    Malformed = 1,

    /// <summary>A later format (<c>LCT2:</c> …) or an algorithm other than ES256.</summary>
    UnsupportedVersion = 2,

    /// <summary>The kid is not in the trust list, the key is revoked, the token was issued outside the key's validity window, or the issuer is not the expected one.</summary>
    UnknownKey = 3,

    /// <summary>The signature does not verify with the trusted key: forged or altered.</summary>
    SignatureInvalid = 4,

    /// <summary>Issued (iat) or valid from (nbf) later than now plus the clock skew.</summary>
    NotYetValid = 5,

    /// <summary>A dynamic (phone) token whose short life is over: refresh the QR.</summary>
    TokenExpired = 6,

    /// <summary>The card itself has expired (static token past its exp).</summary>
    Expired = 7,

    /// <summary>The card is suspended (temporary).</summary>
    Suspended = 8,

    /// <summary>The card is revoked (final).</summary>
    Revoked = 9,

    /// <summary>The card was re-issued; this token carries an older card version.</summary>
    Superseded = 10,

    /// <summary>The registry does not know the card number (decided online only).</summary>
    UnknownCard = 11,
}
