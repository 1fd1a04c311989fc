using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.Testing;
using Microsoft.Data.Sqlite;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// Readiness that means ready (issue 27, docs/operations.md §1 "Health"): the default grpc.health.v1
/// service is NOT_SERVING until the database answers and, for verification, until its copies are
/// usable; the named service "liveness" only says the process answers. Each test has processes and a
/// data folder of its own.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    /// <summary>How long a start or a transition may take: generous, the test suite shares the two cores with a browser.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "lct-tests", "ready-" + Guid.NewGuid().ToString("N"));
    private readonly int _registryPort = ServiceProcess.FreePort();
    private readonly int _entitlementsPort = ServiceProcess.FreePort();
    private readonly int _verificationPort = ServiceProcess.FreePort();
    private readonly List<ServiceProcess> _processes = [];
    private Dictionary<string, string> _env = [];

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        var keyFile = Path.Combine(_data, "keys", "dev-jwt.key");
        DevelopmentTokens.FromFile(keyFile, createIfMissing: true);
        _env = new Dictionary<string, string>
        {
            ["DataDirectory"] = _data,
            ["Auth__DevelopmentKeyFile"] = keyFile,
            ["Services__Registry"] = $"http://127.0.0.1:{_registryPort}",
            ["Services__Entitlements"] = $"http://127.0.0.1:{_entitlementsPort}",
            ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
            ["Registry__EventHeartbeatSeconds"] = "1",
        };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Verification_is_ready_only_once_its_card_states_are_usable_from_the_feed_or_from_its_store()
    {
        // A new replica, registry and entitlement service not running: it knows no card, so it is not ready.
        var verification = await StartAsync("Verification", _verificationPort, waitFor: Readiness.LivenessService);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // its first feed attempts have failed
        var alone = await verification.HealthAsync();
        var aliveAlone = await verification.HealthAsync(Readiness.LivenessService);

        // The registry comes up: the card feed catches up. The entitlement service is still down, which
        // every running replica would answer through (benefits UNAVAILABLE), so it is ready.
        var registry = await StartAsync("Registry", _registryPort);
        var readyAfter = await verification.WaitForHealthAsync(ServingStatus.Serving, Within);

        // Restarted while the registry is down, with the states stored by its first run: ready (degraded).
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken); // the cursor reaches the database
        registry.Kill();
        verification.Kill();
        await verification.RestartAsync(Within);
        var restarted = await verification.WaitForHealthAsync(ServingStatus.Serving, Within);

        Assert.Equal(ServingStatus.NotServing, alone);
        Assert.Equal(ServingStatus.Serving, aliveAlone);
        TestContext.Current.TestOutputHelper?.WriteLine($"Verification readiness: SERVING {readyAfter.TotalSeconds:0.0} s after the registry started, {restarted.TotalSeconds:0.0} s after a restart without it");
        Assert.True(readyAfter < Within);
        Assert.True(restarted < TimeSpan.FromSeconds(10), $"ready only {restarted} after the restart");
        Assert.Contains("Card event feed caught up", verification.Output);
    }

    [Fact]
    public async Task A_service_whose_database_stops_answering_is_not_ready_until_it_answers_again()
    {
        var registry = await StartAsync("Registry", _registryPort);
        var before = await registry.HealthAsync();
        var down = TimeSpan.Zero;

        // Another process holds the write lock of the registry's SQLite file (a stuck tool, a stalled disk
        // look the same from here): every write would wait, so the registry must leave the rotation.
        await using (var holder = new SqliteConnection($"Data Source={Path.Combine(_data, "registry.db")};Pooling=False"))
        {
            await holder.OpenAsync(TestContext.Current.CancellationToken);
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;";
                await begin.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            down = await registry.WaitForHealthAsync(ServingStatus.NotServing, Within);
            var alive = await registry.HealthAsync(Readiness.LivenessService);
            Assert.True(down < TimeSpan.FromSeconds(6), $"NOT_SERVING only after {down}");
            Assert.Equal(ServingStatus.Serving, alive);

            await using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var back = await registry.WaitForHealthAsync(ServingStatus.Serving, Within);

        TestContext.Current.TestOutputHelper?.WriteLine($"Database readiness: NOT_SERVING {down.TotalSeconds:0.0} s after the lock, SERVING {back.TotalSeconds:0.0} s after its release");
        Assert.Equal(ServingStatus.Serving, before);
        Assert.True(back < TimeSpan.FromSeconds(4), $"SERVING again only after {back}");
        Assert.Contains("stopped answering", registry.Output);
        Assert.Contains("answers again", registry.Output);
    }

    private async Task<ServiceProcess> StartAsync(string service, int port, string waitFor = "")
    {
        var process = await ServiceProcess.StartAsync(service, port, _env, Within, waitFor);
        _processes.Add(process);
        return process;
    }
}
