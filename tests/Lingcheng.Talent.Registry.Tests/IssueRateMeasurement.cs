using System.Diagnostics;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>
/// SPEC §7.1 asks for 10 000 cards issued in ≤ 60 s. This measurement issues cards over gRPC
/// with 8 concurrent callers against a fresh registry and prints the rate; it asserts nothing
/// about time (run it on purpose: <c>dotnet test --filter Issue_rate -- RunConfiguration.ExplicitMode=...</c>,
/// or <c>dotnet run --project tests/Lingcheng.Talent.Registry.Tests -- -method "*Issue_rate*" -explicit only</c>).
/// </summary>
public sealed class IssueRateMeasurement
{
    [Fact(Explicit = true)]
    public async Task Issue_rate_of_cards_over_grpc_is_measured()
    {
        const int Cards = 1000;
        var callers = int.TryParse(Environment.GetEnvironmentVariable("LCT_ISSUE_CALLERS"), out var c) ? c : 8;
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var token = system.Tokens.Mint(Lingcheng.Talent.Auth.Roles.HrOfficer, "hr-officer-1");
        Grpc.Core.CallOptions Hr() => TalentSystem.Bearer(token);

        // Talents first (not part of the measured rate).
        var talents = new string[Cards];
        var setup = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Cards, new ParallelOptions { MaxDegreeOfParallelism = callers }, async (i, _) =>
            talents[i] = (await client.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() }, Hr())).Talent.TalentId);
        Console.WriteLine($"Registered {Cards} talents in {setup.Elapsed.TotalSeconds:F2} s.");

        await client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talents[0] }, Hr()); // warm-up
        var server = ServerCpu(system.DataDirectory);
        var serverCpuBefore = server?.TotalProcessorTime ?? TimeSpan.Zero;
        var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(1, Cards, new ParallelOptions { MaxDegreeOfParallelism = callers }, async (i, _) =>
            await client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talents[i] }, Hr()));
        watch.Stop();

        var rate = (Cards - 1) / watch.Elapsed.TotalSeconds;
        var serverCpuMs = server is null ? double.NaN : (ServerCpu(system.DataDirectory)!.TotalProcessorTime - serverCpuBefore).TotalMilliseconds / (Cards - 1);
        var clientCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalMilliseconds / (Cards - 1);
        var message = $"Issued {Cards - 1} cards in {watch.Elapsed.TotalSeconds:F2} s: {rate:F0} cards/s; 10 000 cards would take {10_000 / rate:F1} s. " +
            $"CPU per card: registry {serverCpuMs:F2} ms, client {clientCpuMs:F2} ms (machine load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}).";
        var readCpuBefore = ServerCpu(system.DataDirectory)?.TotalProcessorTime ?? TimeSpan.Zero;
        await Parallel.ForAsync(1, Cards, new ParallelOptions { MaxDegreeOfParallelism = callers }, async (i, _) =>
            await client.GetTalentAsync(new GetTalentRequest { TalentId = talents[i] }, Hr()));
        var readCpuMs = ((ServerCpu(system.DataDirectory)?.TotalProcessorTime ?? TimeSpan.Zero) - readCpuBefore).TotalMilliseconds / (Cards - 1);
        message += $" For comparison, GetTalent costs the registry {readCpuMs:F2} ms CPU.";
        TestContext.Current.SendDiagnosticMessage(message);
        Console.WriteLine(message);
        var history = await client.ReadHistoryAsync(system);
        Assert.Equal(Cards, history.Count);
    }

    /// <summary>The registry process started for this data folder (Linux: found through /proc), to read its CPU time.</summary>
    private static Process? ServerCpu(string dataDirectory)
    {
        foreach (var process in Process.GetProcessesByName("dotnet"))
        {
            try
            {
                var environ = File.ReadAllText($"/proc/{process.Id}/environ");
                var cmdline = File.ReadAllText($"/proc/{process.Id}/cmdline");
                if (cmdline.Contains("Lingcheng.Talent.Registry.dll") && environ.Contains("DataDirectory=" + dataDirectory))
                {
                    return process;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }
}
