using System.Diagnostics;
using System.Text;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>What one run of <c>lct</c> printed and returned.</summary>
public sealed record LctResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Everything the user saw.</summary>
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built <c>lct</c> (<c>dotnet lct.dll …</c>) against the running services, with the
/// system's addresses and development key in the environment, as a developer would: in the Development
/// environment (development tokens allowed) and with no <c>lct login</c> sign-in (a token cache that does not exist).
/// </summary>
public sealed class LctProcess(RunningSystemFixture system, string workingDirectory)
{
    public static string Assembly { get; } = FindAssembly();

    public async Task<LctResult> RunAsync(params string[] args)
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
        start.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("LCT_TOKEN");
        start.Environment.Remove("LCT_AS");
        start.Environment.Remove("LCT_AUTHORITY");
        start.Environment["LCT_ENVIRONMENT"] = "Development";
        start.Environment["LCT_TOKEN_CACHE"] = Path.Combine(workingDirectory, "not-signed-in", "token.json");
        start.Environment["LCT_REGISTRY"] = system.Registry!.Address;
        start.Environment["LCT_ENTITLEMENTS"] = system.Entitlements!.Address;
        start.Environment["LCT_VERIFICATION"] = system.Verification!.Address;
        start.Environment["LCT_DEV_KEY_FILE"] = system.DevKeyFile;
        start.Environment["LCT_OFFLINE_CACHE"] = Path.Combine(workingDirectory, "offline-default");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"lct {string.Join(' ', args)} did not finish in 90 s");
        }

        return new LctResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindAssembly()
    {
        var path = Path.Combine(RepoPaths.Root, "clients", "Lingcheng.Talent.Cli", "bin", RepoPaths.Configuration, "net10.0", "lct.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the CLI first: {path} is missing.", path);
    }
}
