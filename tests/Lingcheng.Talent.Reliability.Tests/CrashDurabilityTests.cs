using System.Diagnostics;
using System.Globalization;
using Lingcheng.Talent.Reliability.Tests.Workload;
using Lingcheng.Talent.Testing;
using Xunit;

namespace Lingcheng.Talent.Reliability.Tests;

/// <summary>
/// SPEC §7.2: no acknowledged write is lost when a service process is killed (<c>kill -9</c>) under
/// load and restarted. A mixed workload runs against the three services while each is killed in
/// turn (registry, entitlements, verification, and round again in the soak) and restarted; then
/// the ledger of acknowledged writes is compared with what the services answer.
/// Short form: about 60 s of load with three kills. Long form: <c>LINGCHENG_SOAK_MINUTES=30</c>.
/// </summary>
public sealed class CrashDurabilityTests
{
    private static readonly TimeSpan FirstKill = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(1);

    /// <summary>Load between a service being healthy again and the next kill (restarts take 5–15 s on a busy machine).</summary>
    private static readonly TimeSpan Recovery = Soak.IsSoak ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(4);

    /// <summary>Load after the last restart, so that what follows a recovery is checked too.</summary>
    private static readonly TimeSpan Tail = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_9_of_each_service_in_turn_under_load()
    {
        var duration = Soak.Duration(TimeSpan.FromSeconds(45));
        await using var system = await ReliabilitySystem.StartAsync();
        using var channels = new PromptChannels(system);
        var ledger = new Ledger();
        var workload = new MixedWorkload(system, channels, ledger, new WorkloadOptions());
        var services = new[] { ("registry", system.Registry!), ("entitlements", system.Entitlements!), ("verification", system.Verification!) };
        var faults = new List<string>();
        var kills = new Dictionary<string, int>(StringComparer.Ordinal);

        using var stop = new CancellationTokenSource();
        var running = workload.RunAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        try
        {
            // Each service is killed at least once; the soak goes round again until its time is up.
            var next = FirstKill;
            var lastRestart = TimeSpan.Zero;
            while (true)
            {
                var moreKills = faults.Count < services.Length || clock.Elapsed < duration;
                if (!moreKills && clock.Elapsed >= lastRestart + Tail)
                {
                    break;
                }

                if (moreKills && clock.Elapsed >= next)
                {
                    var (name, service) = services[faults.Count % services.Length];
                    var at = clock.Elapsed;
                    service.Kill();
                    await Task.Delay(Downtime, TestContext.Current.CancellationToken);
                    var restart = Stopwatch.StartNew();
                    await service.RestartAsync();
                    kills[name] = kills.GetValueOrDefault(name) + 1;
                    faults.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{at.TotalSeconds,5:0.0} s  kill -9 {name}, down {Downtime.TotalSeconds:0} s, restarted and healthy in {restart.Elapsed.TotalSeconds:0.0} s"));
                    lastRestart = clock.Elapsed;
                    next = lastRestart + Recovery;
                }

                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }

        if (Environment.GetEnvironmentVariable("LCT_TEST_LOGS") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            await File.WriteAllTextAsync(Path.Combine(logs, "crash-durability-services.log"), system.AllOutput, TestContext.Current.CancellationToken);
        }

        var checks = await new LedgerChecks(system, channels, ledger, workload.QuotaLimits).RunAsync(TimeSpan.FromSeconds(60));
        var resumed = ReliabilitySystem.ResumePoints(system.Verification!);
        Summary.Print(Summary.Describe("Crash durability (kill -9 under load)", ledger, workload.LoadDuration,
            faults.Append($"verification resumed after sequences: {string.Join(", ", resumed)}"), checks));

        // The faults really happened, the load really ran, and everything checked held.
        Assert.All(services, s => Assert.True(kills.GetValueOrDefault(s.Item1) >= 1, $"{s.Item1} was never killed"));
        Assert.All(new[] { "CreateTalent", "IssueCard", "SuspendCard", "ReinstateCard", "RevokeCard", "ReissueCard", "Redeem", "RedeemRepeat", "RedeemQuota", "CancelRedemption", "Verify" },
            kind => Assert.True(ledger.AcknowledgedOf(kind) > 0, $"no {kind} was acknowledged"));
        Assert.Empty(ledger.Unexpected);
        Assert.True(ledger.Unknown.IsEmpty, "writes still unanswered a minute after the load stopped: " + string.Join(", ", ledger.Unknown.Select(u => $"{u.Value} {u.Key}")));
        Assert.Empty(checks.Problems);
        Assert.True(resumed.Count >= 2 && resumed[^1] > 0, "the restarted verification service did not resume from a stored sequence");
    }
}
