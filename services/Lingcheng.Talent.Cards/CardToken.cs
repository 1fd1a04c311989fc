namespace Lingcheng.Talent.Cards;

/// <summary>
/// Constants of the published card token format (SPEC §4, docs/card-token.md): the QR prefix,
/// the issuer, the claim keys and the size budget.
/// </summary>
public static class CardToken
{
    /// <summary>The prefix of every version-1 QR text. The digit is the format version.</summary>
    public const string Prefix = "LCT1:";

    /// <summary>The issuer (claim 1) of every token the Lingcheng HR bureau signs.</summary>
    public const string Issuer = "CN-371403-HRSS";

    /// <summary>
    /// The largest QR text that fits QR version 11 at error correction level Q in alphanumeric
    /// mode (180 data codewords: 4 + 11 header bits, 5.5 bits a character). The issuer keeps every
    /// token it makes within this budget.
    /// </summary>
    public const int MaxQrTextLengthVersion11Q = 259;

    /// <summary>COSE algorithm identifier of ES256 (ECDSA P-256 with SHA-256).</summary>
    public const int AlgorithmEs256 = -7;

    /// <summary>Length of the key identifier in bytes.</summary>
    public const int KidLength = 8;

    /// <summary>Length of the token id (claim 7, cti) in bytes.</summary>
    public const int TokenIdLength = 8;

    /// <summary>Integer keys of the CWT claims map.</summary>
    public static class ClaimKeys
    {
        public const int Issuer = 1;
        public const int Subject = 2;
        public const int ExpiresAt = 4;
        public const int NotBefore = 5;
        public const int IssuedAt = 6;
        public const int TokenId = 7;
        public const int CardVersion = -70001;
        public const int Tier = -70002;
        public const int HolderDisplayName = -70003;
        public const int Kind = -70004;
    }
}
