using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>
/// Issue 25, items 10 and 11 on the registry: per-caller rate limits for HR officers and auditors on VerifyAuditChain, a cap
/// on the watch streams one caller holds open, a VerifyAuditChain that does not re-hash the whole table at every call yet
/// still finds a rewrite, and a cleartext port that serves health alone.
/// </summary>
public sealed partial class CallerLimitTests
{
    [Fact]
    public async Task Hr_officers_and_auditors_beyond_their_rate_of_audit_chain_checks_get_resource_exhausted_with_when_to_retry()
    {
        var settings = new Dictionary<string, string>(RegistryFixture.Settings)
        {
            ["CallerLimits__PermitsPerMinute"] = "2",
            ["CallerLimits__Burst"] = "3",
        };
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);

        foreach (var caller in new[] { system.AsAuditor(), system.AsHrOfficer() })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True((await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), caller)).Report.Intact);
            }

            var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), caller));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("retry in", refused.Status.Detail);
            Assert.Equal("CALLER_RATE_LIMITED", refused.ErrorInfo()?.Reason);
            var retry = refused.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>();
            Assert.NotNull(retry);
            Assert.True(retry.RetryDelay.ToTimeSpan() >= TimeSpan.FromSeconds(1));
        }

        // The limit is per caller: another auditor is not held back by the first one.
        var other = TalentSystem.Bearer(system.Tokens.Mint(Auth.Roles.Auditor, "another-auditor"));
        Assert.True((await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), other)).Report.Intact);
    }

    [Fact]
    public async Task A_caller_cannot_hold_more_watch_streams_open_than_the_cap()
    {
        var settings = new Dictionary<string, string>(RegistryFixture.Settings) { ["CallerLimits__MaxStreamsPerCaller"] = "2" };
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        await client.IssueCardAsync(system);
        var auditor = system.AsAuditor();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        var open = new List<AsyncServerStreamingCall<WatchCardEventsResponse>>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var call = client.WatchCardEvents(new WatchCardEventsRequest(), auditor.WithDeadline(DateTime.UtcNow.AddMinutes(1)));
                open.Add(call);
                Assert.True(await call.ResponseStream.MoveNext(timeout.Token)); // open and streaming
            }

            using var third = client.WatchCardEvents(new WatchCardEventsRequest(), auditor.WithDeadline(DateTime.UtcNow.AddMinutes(1)));
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await third.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("at most 2", refused.Status.Detail);
            Assert.Equal("CALLER_STREAM_LIMITED", refused.ErrorInfo()?.Reason);

            // Another caller (here a service) still gets its stream, and closing one frees a place.
            using var service = client.WatchCardEvents(new WatchCardEventsRequest(), system.AsService().WithDeadline(DateTime.UtcNow.AddMinutes(1)));
            Assert.True(await service.ResponseStream.MoveNext(timeout.Token));
            open[0].Dispose();
            open.RemoveAt(0);
            for (var attempt = 0; ; attempt++)
            {
                using var again = client.WatchCardEvents(new WatchCardEventsRequest(), auditor.WithDeadline(DateTime.UtcNow.AddMinutes(1)));
                try
                {
                    Assert.True(await again.ResponseStream.MoveNext(timeout.Token));
                    break;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted && attempt < 50)
                {
                    await Task.Delay(100, timeout.Token); // the server notices the cancelled stream shortly
                }
            }
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_second_audit_chain_check_hashes_only_the_new_records_and_a_window_yet_finds_a_rewrite_and_an_edit()
    {
        var settings = new Dictionary<string, string>(RegistryFixture.Settings)
        {
            ["Audit__CheckpointSeconds"] = "1",
            ["Audit__VerifySweepRecords"] = "2",
            ["CallerLimits__PermitsPerMinute"] = "0",
        };
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        for (var i = 0; i < 5; i++)
        {
            await client.IssueCardAsync(system);
        }

        var first = await CheckAsync(client, system);
        Assert.True(first.Report.Intact, first.Report.Detail);
        Assert.Equal("full", first.Mode);
        Assert.Equal(first.Report.RecordsChecked, first.Hashed);
        Assert.True(first.Report.RecordsChecked >= 10, first.Report.Detail);

        await client.IssueCardAsync(system);
        var second = await CheckAsync(client, system);
        Assert.True(second.Report.Intact, second.Report.Detail);
        Assert.Equal("incremental", second.Mode);
        var added = second.Report.RecordsChecked - first.Report.RecordsChecked;
        Assert.True(added >= 2, second.Report.Detail);
        Assert.True(second.Hashed <= added + 3, $"the second check hashed {second.Hashed} records: the {added} new ones and a window of 2 (+1) at most");
        Assert.True(second.Hashed < second.Report.RecordsChecked, "the second check re-hashed the whole table");

        // An edit that leaves the hash column alone, in a record already checked: found within a sweep of the table.
        var database = Path.Combine(system.DataDirectory, "registry.db");
        var target = first.Report.RecordsChecked - 1;
        AuditCheckpointTests.Execute(database, $"UPDATE AuditRecords SET Outcome = 'NOTHING_HAPPENED' WHERE Sequence = {target}");
        (AuditChainReport Report, string Mode, long Hashed) edited = default;
        for (var call = 0; call < second.Report.RecordsChecked; call++)
        {
            edited = await CheckAsync(client, system);
            if (!edited.Report.Intact)
            {
                break;
            }
        }

        Assert.NotNull(edited.Report);
        Assert.False(edited.Report.Intact, "an edited record was never found");
        Assert.Equal(target, edited.Report.FirstBrokenSequence);
        Assert.Contains("altered", edited.Report.Detail);

        // A rewrite with fresh hashes: found at the very next call, whatever the window.
        await using var restart = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: settings);
        var fresh = new TalentRegistryService.TalentRegistryServiceClient(restart.Registry!.Channel);
        for (var i = 0; i < 5; i++)
        {
            await fresh.IssueCardAsync(restart);
        }

        var before = await OnceCheckpointedAsync(fresh, restart);
        Assert.True(before.Report.Intact, before.Report.Detail);
        var cheap = await CheckAsync(fresh, restart);
        Assert.Equal("incremental", cheap.Mode);
        AuditCheckpointTests.Rewrite(Path.Combine(restart.DataDirectory, "registry.db"), 2, "hr_officer:someone-else");
        var rewritten = await CheckAsync(fresh, restart);
        Assert.False(rewritten.Report.Intact);
        Assert.Contains("rewritten", rewritten.Report.Detail);
    }

    [Fact]
    public async Task A_health_only_port_answers_health_checks_and_refuses_the_api()
    {
        var probe = ServiceProcess.FreePort();
        var settings = new Dictionary<string, string>(RegistryFixture.Settings)
        {
            ["Kestrel__Endpoints__Probe__Url"] = $"http://127.0.0.1:{probe}",
            ["Hosting__HealthOnlyPorts"] = probe.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: settings);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{probe}");

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        var api = new TalentRegistryService.TalentRegistryServiceClient(channel);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await api.GetTrustListAsync(new GetTrustListRequest(), system.AsHrOfficer()));
        Assert.Equal(StatusCode.Unimplemented, refused.StatusCode);
        Assert.Contains("health checks only", refused.Status.Detail);
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await api.GetTrustListAsync(new GetTrustListRequest(), deadline: DateTime.UtcNow.AddSeconds(10)));
        Assert.Equal(StatusCode.Unimplemented, anonymous.StatusCode);

        // The API port itself is unchanged.
        var list = await new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel).GetTrustListAsync(new GetTrustListRequest(), system.AsHrOfficer());
        Assert.NotNull(list);
    }

    /// <summary>Asks VerifyAuditChain as an auditor and reads how many records that call hashed from the service's log.</summary>
    private static async Task<(AuditChainReport Report, string Mode, long Hashed)> CheckAsync(TalentRegistryService.TalentRegistryServiceClient client, TalentSystem system)
    {
        var before = HashedLines().Matches(system.Registry!.Output).Count;
        var report = (await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), system.AsAuditor())).Report;
        for (var attempt = 0; ; attempt++)
        {
            var lines = HashedLines().Matches(system.Registry.Output);
            if (lines.Count > before)
            {
                var last = lines[before];
                return (report, last.Groups["mode"].Value, long.Parse(last.Groups["hashed"].Value, System.Globalization.CultureInfo.InvariantCulture));
            }

            Assert.True(attempt < 100, "no VerifyAuditChain log line");
            await Task.Delay(50);
        }
    }

    private static async Task<(AuditChainReport Report, string Mode, long Hashed)> OnceCheckpointedAsync(TalentRegistryService.TalentRegistryServiceClient client, TalentSystem system)
    {
        for (var attempt = 0; ; attempt++)
        {
            var r = await CheckAsync(client, system);
            if (r.Report.LastCheckpoint is { } c && c.Sequence == r.Report.RecordsChecked)
            {
                return r;
            }

            Assert.True(attempt < 100, $"no checkpoint covered the chain within 20 s: {r.Report.Detail}");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"VerifyAuditChain of registry: (?<hashed>\d+) records hashed \((?<mode>\w+) check\)")]
    private static partial Regex HashedLines();
}
