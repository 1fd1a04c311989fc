namespace Lingcheng.Talent.Web.Services;

/// <summary>Settings of the talent's page (<c>Card</c> section).</summary>
public sealed class CardOptions
{
    /// <summary>Where a talent turns when the card is suspended, revoked or expired (shown on the page).</summary>
    public string BureauContact { get; set; } = "陵城区人力资源和社会保障局 人才服务窗口";

    /// <summary>The bureau's hotline, shown beside the contact when set.</summary>
    public string BureauPhone { get; set; } = "";
}
