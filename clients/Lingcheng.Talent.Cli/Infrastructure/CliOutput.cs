using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>Writes results as tables (people) or JSON (scripts), and reports progress on stderr.</summary>
internal sealed class CliOutput(TextWriter output, TextWriter error, bool json)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // Chinese names stay readable
    };

    /// <summary>China Standard Time, in which the district reads dates (SPEC: quota periods, statistics).</summary>
    public static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    public bool Json { get; } = json;

    public TextWriter Writer { get; } = output;

    public TextWriter Error { get; } = error;

    public void Line(string text = "") => Writer.WriteLine(text);

    public void Write(string text) => Writer.Write(text);

    /// <summary>Writes JSON: a message, a list of messages, or a JSON node.</summary>
    public void WriteJson(JsonNode? node) => Writer.WriteLine(node?.ToJsonString(Indented) ?? "null");

    public static JsonNode ToJson(IMessage message) => JsonNode.Parse(Formatter.Format(message))!;

    public static JsonArray ToJson(IEnumerable<IMessage> messages) => new([.. messages.Select(m => (JsonNode?)ToJson(m))]);

    public void WriteJson(IMessage message) => WriteJson(ToJson(message));

    public void WriteJson(IEnumerable<IMessage> messages) => WriteJson(ToJson(messages));

    /// <summary>A progress bar on stderr, redrawn in place on a terminal, skipped when stderr is redirected (except the end).</summary>
    public void Progress(int done, int total, string label)
    {
        const int width = 30;
        var filled = total == 0 ? width : (int)Math.Round(width * (double)done / total);
        var bar = $"[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {label}";
        if (!Console.IsErrorRedirected)
        {
            Error.Write("\r" + bar);
            if (done == total)
            {
                Error.WriteLine();
            }
        }
        else if (done == total)
        {
            Error.WriteLine(bar);
        }
    }

    public static string Time(Timestamp? timestamp) =>
        timestamp is null || (timestamp.Seconds == 0 && timestamp.Nanos == 0) ? "" : Time(timestamp.ToDateTimeOffset());

    public static string Time(DateTimeOffset time) => time.ToOffset(Cst).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public static string Date(Timestamp? timestamp) =>
        timestamp is null || timestamp.Seconds == 0 ? "" : timestamp.ToDateTimeOffset().ToOffset(Cst).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An age in words: 45 s, 12 min, 3 h, 2 days.</summary>
    public static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 0 => "0 s",
        < 90 => $"{(int)age.TotalSeconds} s",
        < 5400 => $"{(int)age.TotalMinutes} min",
        < 172_800 => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} days",
    };

    public static string TierText(Tier tier) => tier == V1.Tier.Unspecified ? "" : tier.ToString();

    public static string StateText(CardState state) => state == CardState.Unspecified ? "" : ProtoNames.Short(state, "");

    public static string GenderText(Gender gender) => gender switch
    {
        V1.Gender.Male => "male",
        V1.Gender.Female => "female",
        _ => "",
    };

    public static string Outcome(VerificationOutcome outcome) => ProtoNames.Short(outcome);

    public static string Redemption(RedemptionStatus status) => ProtoNames.Short(status);

    public static string Entitlement(EntitlementStatus status) => ProtoNames.Short(status);

    public static string Quota(QuotaPeriod period, int limit) => period switch
    {
        QuotaPeriod.Unlimited => "unlimited",
        QuotaPeriod.PerCalendarYear => $"{limit} per year",
        QuotaPeriod.PerCard => $"{limit} per card",
        _ => "",
    };

}
