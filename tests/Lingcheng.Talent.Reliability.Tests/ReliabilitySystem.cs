using System.Globalization;
using System.Text.RegularExpressions;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Reliability.Tests;

/// <summary>
/// Starts the three real services for a reliability test, with settings suited to a shared,
/// often saturated two-core machine: one-second feed heartbeats (catch-up is seen sooner),
/// generous deadlines between the services (slowness must not look like an outage), and no
/// per-terminal or per-caller limit (the workload's terminals and the ledger checker, which reads
/// every card's verification list in parallel as one HR officer, are not being tested for abuse here).
/// </summary>
public static partial class ReliabilitySystem
{
    public static Task<TalentSystem> StartAsync() => TalentSystem.StartAsync(settings: new Dictionary<string, string>
    {
        ["Registry__EventHeartbeatSeconds"] = "1",
        ["Verification__EntitlementsDeadlineMilliseconds"] = "5000",
        ["Verification__RegistryDeadlineMilliseconds"] = "5000",
        ["Verification__RedeemDeadlineMilliseconds"] = "10000",
        ["Verification__RateLimit__PermitsPerSecond"] = "0",
        ["CallerLimits__PermitsPerMinute"] = "0",
        ["CallerLimits__MaxConcurrent"] = "0",
    });

    /// <summary>Every sequence a verification process logged it resumed after, in order (one per start).</summary>
    public static IReadOnlyList<long> ResumePoints(ServiceProcess verification) =>
        [.. ResumeLine().Matches(verification.Output).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"resuming after sequence (\d+)")]
    private static partial Regex ResumeLine();
}

/// <summary>
/// The short form runs in every <c>dotnet test</c>; <c>LINGCHENG_SOAK_MINUTES=30</c> runs the same
/// tests as a soak of that length.
/// </summary>
public static class Soak
{
    public const string Variable = "LINGCHENG_SOAK_MINUTES";

    /// <summary>Set (and positive) for the long form.</summary>
    public static double? Minutes =>
        double.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : null;

    public static bool IsSoak => Minutes is not null;

    /// <summary>How long a load runs: the soak length, or <paramref name="shortForm"/>.</summary>
    public static TimeSpan Duration(TimeSpan shortForm) => Minutes is { } m ? TimeSpan.FromMinutes(m) : shortForm;
}
