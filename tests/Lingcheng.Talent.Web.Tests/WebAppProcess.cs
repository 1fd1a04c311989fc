using System.Diagnostics;
using System.Text;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>
/// The built web app as a real process on a free loopback port, told the test process's id so it
/// stops by itself if the test run dies; disposing kills it.
/// </summary>
public sealed class WebAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WebAppProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

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

    /// <summary>The built web app's assembly.</summary>
    public static string Assembly
    {
        get
        {
            var path = Path.Combine(RepoPaths.Root, "clients", "Lingcheng.Talent.Web", "bin", RepoPaths.Configuration, "net10.0", "Lingcheng.Talent.Web.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.", path);
        }
    }

    /// <summary>
    /// Starts the app and, unless <paramref name="waitUntilHealthy"/> is false, waits until /health answers 200;
    /// on <paramref name="port"/> when given (an identity provider must know the app's address first).
    /// </summary>
    public static async Task<WebAppProcess> StartAsync(IDictionary<string, string> environment, bool waitUntilHealthy = true, int? port = null)
    {
        var listenPort = port ?? ServiceProcess.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Assembly);
        info.Environment["LINGCHENG_PARENT_PID"] = Environment.ProcessId.ToString();
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        info.Environment["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{listenPort}";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var app = new WebAppProcess(process, listenPort);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitUntilHealthy)
        {
            await app.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        }

        return app;
    }

    /// <summary>Waits for the process to end by itself; false when it still runs after <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The web app exited with code {_process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync(BaseUrl + "/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The web app did not become healthy within {timeout}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
