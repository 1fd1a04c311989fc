using System.Globalization;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.ServiceDefaults.Time;

/// <summary>
/// Quota periods and statistics months are counted in China Standard Time (Asia/Shanghai, UTC+8,
/// no daylight saving since 1991): a calendar year ends at midnight in Lingcheng, not in UTC.
/// Falls back to a fixed +08:00 offset where the machine has no time-zone data.
/// </summary>
public static class ChinaTime
{
    /// <summary>Period key of PER_CARD quotas: the whole card line, re-issues included.</summary>
    public const string CardPeriod = "card";

    private static readonly TimeZoneInfo Zone = FindZone();

    /// <summary>The local date and time in Lingcheng at <paramref name="instant"/>.</summary>
    public static DateTimeOffset ToChina(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>The period key a use at <paramref name="instant"/> counts against; empty when unlimited.</summary>
    public static string PeriodOf(QuotaPeriod period, DateTimeOffset instant) => period switch
    {
        QuotaPeriod.PerCalendarYear => ToChina(instant).Year.ToString(CultureInfo.InvariantCulture),
        QuotaPeriod.PerCard => CardPeriod,
        _ => "",
    };

    /// <summary><c>YYYY-MM</c> in China Standard Time.</summary>
    public static string MonthOf(DateTimeOffset instant) => ToChina(instant).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("CST+8", TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");
        }
    }
}
