using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Lingcheng.Talent.Testing;

/// <summary>
/// One service running as a real process on a loopback port. It is told the test process's id,
/// so it stops by itself if the test run dies; disposing kills it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly string _service;
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private string _waitFor = "";

    private ServiceProcess(string service, int port, Dictionary<string, string> environment)
    {
        _service = service;
        Port = port;
        _environment = environment;
        Channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 });
    }

    /// <summary>
    /// What lets a service accept development tokens: the Development environment and the explicit switch
    /// (docs/security.md); either alone is refused.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DevelopmentMode { get; } = new Dictionary<string, string>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Auth__DevelopmentTokens"] = "true",
    };

    /// <summary>The gRPC (HTTP/2 cleartext) port.</summary>
    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    /// <summary>A channel to the service, shared by the tests.</summary>
    public GrpcChannel Channel { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The operating-system process id while it runs (for CPU and memory readings).</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Everything the service wrote to stdout and stderr, across restarts.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a service (Registry, Entitlements or Verification) and waits until its health check says
    /// SERVING: readiness (the default service "") unless <paramref name="waitFor"/> names another,
    /// e.g. "liveness" for a service that is not expected to become ready. A service given neither an
    /// authority nor an environment runs as on a developer's machine: Development, with development tokens
    /// switched on explicitly (<see cref="DevelopmentMode"/>); outside that a service without an authority does not start.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string service, int port, IDictionary<string, string> environment, TimeSpan? timeout = null, string waitFor = "")
    {
        var env = new Dictionary<string, string>(environment)
        {
            ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{port}",
        };
        if (service != "Identity"
            && string.IsNullOrEmpty(env.GetValueOrDefault("Auth__Authority"))
            && !env.ContainsKey("ASPNETCORE_ENVIRONMENT")
            && !env.ContainsKey("Auth__DevelopmentTokens"))
        {
            foreach (var (key, value) in DevelopmentMode)
            {
                env[key] = value;
            }
        }

        var process = new ServiceProcess(service, port, env) { _waitFor = waitFor };
        await process.StartAsync(timeout ?? TimeSpan.FromSeconds(90));
        return process;
    }

    /// <summary>Starts the process again after a kill, with the same ports, data and configuration.</summary>
    public Task RestartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{_service} is still running.");
        }

        return StartAsync(timeout ?? TimeSpan.FromSeconds(90));
    }

    /// <summary>Kills the process at once, like <c>kill -9</c>.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
        }
    }

    /// <summary>The service's grpc.health.v1 status: readiness ("") or a named service such as "liveness".</summary>
    public async Task<HealthCheckResponse.Types.ServingStatus> HealthAsync(string service = "")
    {
        var reply = await new Health.HealthClient(Channel).CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(5));
        return reply.Status;
    }

    /// <summary>Polls the health status until it is <paramref name="expected"/>; returns how long that took, or throws after <paramref name="within"/>.</summary>
    public async Task<TimeSpan> WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus expected, TimeSpan within, string service = "")
    {
        var clock = Stopwatch.StartNew();
        var last = HealthCheckResponse.Types.ServingStatus.Unknown;
        while (clock.Elapsed < within)
        {
            last = await HealthAsync(service);
            if (last == expected)
            {
                return clock.Elapsed;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{_service} health stayed {last}, not {expected}, for {within}:\n{Output}");
    }

    /// <summary>
    /// Asks the process to stop as a supervisor does (SIGTERM, or SIGINT for Ctrl+C) and waits for it to
    /// exit; returns its exit code and how long it took. Kills it when it has not exited within <paramref name="within"/>.
    /// </summary>
    public async Task<(int ExitCode, TimeSpan Took)> StopAsync(TimeSpan within, int signal = Signals.Term)
    {
        var process = _process ?? throw new InvalidOperationException($"{_service} was never started.");
        var clock = Stopwatch.StartNew();
        if (Signals.Send(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed.");
        }

        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{_service} did not exit within {within} of signal {signal}:\n{Output}");
        }

        var took = clock.Elapsed;
        process.WaitForExit(); // the end of the redirected output
        return (process.ExitCode, took);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        Channel.Dispose();
        await Task.CompletedTask;
    }

    private async Task StartAsync(TimeSpan timeout)
    {
        var assembly = RepoPaths.ServiceAssembly(_service);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly);
        info.Environment["LINGCHENG_PARENT_PID"] = Environment.ProcessId.ToString();
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{_service} exited with code {process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                if (await IsReadyAsync())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is Grpc.Core.RpcException or HttpRequestException or TaskCanceledException)
            {
                // Not listening yet; past the deadline the timeout below says so, with the service's output.
            }

            if (DateTime.UtcNow > deadline)
            {
                Kill();
                throw new TimeoutException($"{_service} did not become healthy within {timeout}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Ready means SERVING on grpc.health.v1 (or the named service), or for the identity provider, which
    /// speaks HTTP/1.1 only, 200 from <c>/healthz/ready</c>.
    /// </summary>
    private async Task<bool> IsReadyAsync()
    {
        if (_service == "Identity")
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            return (await http.GetAsync(Address + "/healthz/ready")).IsSuccessStatusCode;
        }

        var reply = await new Health.HealthClient(Channel).CheckAsync(new HealthCheckRequest { Service = _waitFor }, deadline: DateTime.UtcNow.AddSeconds(2));
        return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port nobody listens on right now, not handed out before by this process, and below Linux's
    /// ephemeral range (32768–60999): outgoing connections take their local ports from that range, and in a CI
    /// run one took a port handed out here before its service could bind it ("address already in use").
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(10_000, 32_000);
            lock (HandedOut)
            {
                if (!HandedOut.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Someone listens there: another.
            }
        }

        throw new InvalidOperationException("No free loopback port found between 10000 and 32000.");
    }
}

/// <summary>POSIX signals for <see cref="ServiceProcess.StopAsync"/>: <see cref="Process.Kill()"/> sends SIGKILL, which no service can handle.</summary>
public static class Signals
{
    /// <summary>SIGINT, what Ctrl+C sends.</summary>
    public const int Interrupt = 2;

    /// <summary>SIGTERM, what a supervisor (systemd, Docker, Kubernetes) sends to stop a process.</summary>
    public const int Term = 15;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; 0 on success.</summary>
    public static int Send(int pid, int signal) => Kill(pid, signal);

    // DllImport rather than LibraryImport: two ints need no marshalling, and no unsafe code in the project.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
