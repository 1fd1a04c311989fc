using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// The three services as real processes, started on first use, (the harness's <see cref="ServiceProcess"/>) on free
/// loopback ports with a temporary data folder, shared by every test of the assembly, plus a scratch
/// folder for CSV files, images and offline caches.
/// <para>
/// Started here rather than with <c>TalentSystem.StartAsync</c> because that one gives every
/// service the verification service's JSON endpoint (<c>Kestrel__Endpoints__Json__Url</c>), so the
/// second service to start cannot bind it; here only the verification service gets it.
/// </para>
/// </summary>
public sealed class RunningSystemFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "lct-tests", Guid.NewGuid().ToString("N"));

    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "lct-cli-tests", Guid.NewGuid().ToString("N"));

    public string DevKeyFile => Path.Combine(DataDirectory, "keys", "dev-jwt.key");

    public ServiceProcess? Registry { get; private set; }

    public ServiceProcess? Entitlements { get; private set; }

    public ServiceProcess? Verification { get; private set; }

    public LctProcess Lct => new(this, WorkDirectory);

    private readonly Lazy<Task> _started;

    public RunningSystemFixture() => _started = new(StartAsync);

    /// <summary>Nothing starts until a test asks (so running only the unit tests starts no service).</summary>
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Starts the services on first use; later calls wait for the same start.</summary>
    public Task EnsureStartedAsync() => _started.Value;

    private async Task StartAsync()
    {
        Directory.CreateDirectory(WorkDirectory);
        Directory.CreateDirectory(DataDirectory);
        DevelopmentTokens.FromFile(DevKeyFile, createIfMissing: true);
        int registryPort = ServiceProcess.FreePort(), entitlementsPort = ServiceProcess.FreePort(), verificationPort = ServiceProcess.FreePort();
        var env = new Dictionary<string, string>
        {
            ["DataDirectory"] = DataDirectory,
            ["Auth__DevelopmentKeyFile"] = DevKeyFile,
            ["Services__Registry"] = $"http://127.0.0.1:{registryPort}",
            ["Services__Entitlements"] = $"http://127.0.0.1:{entitlementsPort}",
            ["Services__Verification"] = $"http://127.0.0.1:{verificationPort}",
            ["Registry__EventHeartbeatSeconds"] = "1",
        };
        Registry = await ServiceProcess.StartAsync("Registry", registryPort, env);
        var verificationEnv = new Dictionary<string, string>(env) { ["Kestrel__Endpoints__Json__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}" };
        await Task.WhenAll(
            Task.Run(async () => Entitlements = await ServiceProcess.StartAsync("Entitlements", entitlementsPort, env)),
            Task.Run(async () => Verification = await ServiceProcess.StartAsync("Verification", verificationPort, verificationEnv)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in new[] { Verification, Entitlements, Registry })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }

        foreach (var dir in new[] { WorkDirectory, DataDirectory })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // a file still held by a dying process; the OS cleans the temp folder
            }
        }
    }
}
