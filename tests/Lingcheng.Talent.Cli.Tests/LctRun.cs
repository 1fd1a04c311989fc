using System.Diagnostics;
using System.Text;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// One <c>lct</c> process that a test talks to while it runs (as <c>lct login</c> needs: read the code it
/// shows, approve it, then wait for the exit), with exactly the environment the test gives. Disposing
/// kills it if it is still running, so no process outlives its test.
/// </summary>
public sealed class LctRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new(), _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string[] _args;

    private LctRun(Process process, string[] args)
    {
        _process = process;
        _args = args;
    }

    /// <summary>
    /// Starts <c>dotnet lct.dll args</c> in <paramref name="workingDirectory"/>. Every <c>LCT_*</c> and
    /// <c>DOTNET_ENVIRONMENT</c> variable of the test run is removed first; <paramref name="environment"/> sets the ones wanted.
    /// </summary>
    public static LctRun Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(LctProcess.Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("LCT_", StringComparison.Ordinal) || k == "DOTNET_ENVIRONMENT").ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var run = new LctRun(new Process { StartInfo = start }, args);
        run._process.OutputDataReceived += (_, e) => run.Append(run._stdout, run._stdoutClosed, e.Data);
        run._process.ErrorDataReceived += (_, e) => run.Append(run._stderr, run._stderrClosed, e.Data);
        run._process.Start();
        run._process.BeginOutputReadLine();
        run._process.BeginErrorReadLine();
        return run;
    }

    /// <summary>What it printed on stdout so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Waits until stdout has a line for which <paramref name="match"/> gives a value, and returns that value.</summary>
    public async Task<T> WaitForAsync<T>(Func<string, T?> match, TimeSpan within)
        where T : class
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var line in Stdout.Split('\n'))
            {
                if (match(line) is { } value)
                {
                    return value;
                }
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted)
            {
                break;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"lct {string.Join(' ', _args)} printed no such line:\n{Stdout}\n--- stderr\n{Stderr}");
    }

    /// <summary>Waits for the exit and returns what it printed.</summary>
    public async Task<LctResult> ExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"lct {string.Join(' ', _args)} did not finish in {within.TotalSeconds:0} s:\n{Stdout}\n--- stderr\n{Stderr}");
        }

        return new LctResult(_process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Runs lct to its end.</summary>
    public static async Task<LctResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var run = Start(workingDirectory, environment, args);
        return await run.ExitAsync(TimeSpan.FromSeconds(60));
    }

    private string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    private void Append(StringBuilder buffer, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
