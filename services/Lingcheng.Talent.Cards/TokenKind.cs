namespace Lingcheng.Talent.Cards;

/// <summary>Kind of token, claim -70004.</summary>
public enum TokenKind
{
    /// <summary>Printed on the card; expires with the card.</summary>
    Static = 1,

    /// <summary>Shown on the holder's phone; lives minutes and is refreshed.</summary>
    Dynamic = 2,
}
