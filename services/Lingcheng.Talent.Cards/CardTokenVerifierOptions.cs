namespace Lingcheng.Talent.Cards;

/// <summary>Settings of <see cref="CardTokenVerifier"/> and <see cref="OfflineVerifier"/> (bindable from configuration).</summary>
public sealed class CardTokenVerifierOptions
{
    /// <summary>Clock difference tolerated on iat, nbf and exp (SPEC §4: 60 s).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Longer QR texts are rejected as malformed before any decoding, so that an oversized input
    /// costs nothing. Our tokens are at most 259 characters; the default leaves room for a
    /// later, larger layout.
    /// </summary>
    public long MaxQrTextLength { get; set; } = 1024;

    /// <summary>The issuer (claim 1) a token must carry; another issuer is an unknown key.</summary>
    public string ExpectedIssuer { get; set; } = CardToken.Issuer;
}
