using System.Globalization;
using System.Text;
using Xunit;

namespace Lingcheng.Talent.Reliability.Tests.Workload;

/// <summary>Writes what a run did and found, to the test output and as a diagnostic message (shown by <c>dotnet test</c>).</summary>
public static class Summary
{
    public static string Describe(string title, Ledger ledger, TimeSpan load, IEnumerable<string> faults, CheckReport? checks)
    {
        var text = new StringBuilder();
        var seconds = Math.Max(1, load.TotalSeconds);
        text.AppendLine(CultureInfo.InvariantCulture, $"=== {title}: {load.TotalSeconds:0} s of load");
        text.AppendLine("Acknowledged (OK answers) per kind:");
        foreach (var kind in ledger.Acknowledged.Keys.Union(ledger.Retries.Keys).Union(ledger.Unknown.Keys).Order(StringComparer.Ordinal))
        {
            var count = ledger.AcknowledgedOf(kind);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {kind,-14} {count,8}  {count / seconds,7:0.0}/s   retried attempts {ledger.Retries.GetValueOrDefault(kind),5}   unknown {ledger.Unknown.GetValueOrDefault(kind),3}");
        }

        Section(text, "Failed attempts by status code", ledger.FailureCodes);
        Section(text, "Other counts", ledger.Events);
        text.AppendLine("Faults injected:");
        foreach (var fault in faults)
        {
            text.AppendLine("  " + fault);
        }

        if (checks is not null)
        {
            Section(text, "Checks held", checks.Checked);
            text.AppendLine(CultureInfo.InvariantCulture, $"Check problems: {checks.Problems.Count}");
            foreach (var p in checks.Problems)
            {
                text.AppendLine("  " + p);
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Unexpected answers during the load: {ledger.Unexpected.Count}");
        foreach (var p in ledger.Unexpected)
        {
            text.AppendLine("  " + p);
        }

        return text.ToString();
    }

    /// <summary>Sends the text to the test's output and as a diagnostic message.</summary>
    public static void Print(string text)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        TestContext.Current.SendDiagnosticMessage(text);
        if (Environment.GetEnvironmentVariable("LCT_TEST_LOGS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.AppendAllText(Path.Combine(folder, "reliability-summary.txt"), text + Environment.NewLine);
        }
    }

    private static void Section(StringBuilder text, string title, IEnumerable<KeyValuePair<string, long>> counts)
    {
        text.AppendLine(title + ":");
        foreach (var (name, count) in counts.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {count,8}  {name}");
        }
    }
}
