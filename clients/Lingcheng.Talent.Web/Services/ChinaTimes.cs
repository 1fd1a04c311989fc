using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.ServiceDefaults.Time;

namespace Lingcheng.Talent.Web.Services;

/// <summary>Times as the pages show them: China Standard Time, whatever the server's or browser's zone.</summary>
public static class ChinaTimes
{
    public static string Date(Timestamp timestamp) => Date(timestamp.ToDateTimeOffset());

    public static string Date(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Month(DateTimeOffset instant) => ChinaTime.MonthOf(instant);

    public static string Time(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
