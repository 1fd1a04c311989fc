namespace Lingcheng.Talent.Cards;

/// <summary>Talent tier as carried in claim -70002 (SPEC §3.1).</summary>
public enum Tier
{
    /// <summary>顶尖人才, top talent.</summary>
    A = 1,

    /// <summary>领军人才, leading talent.</summary>
    B = 2,

    /// <summary>高级人才, senior talent.</summary>
    C = 3,

    /// <summary>骨干人才, key local practical talent.</summary>
    D = 4,
}
