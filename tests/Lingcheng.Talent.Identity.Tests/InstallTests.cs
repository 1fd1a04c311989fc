using System.Diagnostics;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Identity.Tests;

/// <summary>Starting a fresh install: secrets from mounted files; the first HR officer: created once from the command line with a temporary password; a second run changes nothing.</summary>
public sealed class InstallTests
{
    [Fact]
    public async Task Add_hr_officer_creates_the_first_officer_once_and_prints_the_temporary_password()
    {
        var data = Path.Combine(Path.GetTempPath(), "lct-tests", "first-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output) = await RunAsync(data, "add-hr-officer", "zhang.hr");
            Assert.Equal(0, code);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var password = lines[Array.FindIndex(lines, l => l.StartsWith("HR officer zhang.hr created", StringComparison.Ordinal)) + 1];
            Assert.True(password.Length >= 10 && password.Any(char.IsDigit) && password.Any(char.IsUpper), password);

            var (again, message) = await RunAsync(data, "add-hr-officer", "zhang.hr");
            Assert.Equal(1, again);
            Assert.Contains("zhang.hr", message);
            Assert.DoesNotContain(password, message);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Secrets_come_from_mounted_files_and_a_missing_mount_stops_the_start_with_one_line()
    {
        var data = Path.Combine(Path.GetTempPath(), "lct-tests", "secrets-" + Guid.NewGuid().ToString("N"));
        var missing = Path.Combine(data, "not-mounted");
        try
        {
            var (code, output) = await RunAsync(data, ("SecretFiles__Directory", missing), "migrate");
            Assert.Equal(1, code);
            Assert.Contains($"identity cannot start: SecretFiles:Directory is {missing}, which does not exist", output);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static Task<(int Code, string Output)> RunAsync(string data, params string[] args) => RunAsync(data, null, args);

    private static async Task<(int Code, string Output)> RunAsync(string data, (string Key, string Value)? setting, params string[] args)
    {
        var assembly = RepoPaths.ServiceAssembly("Identity");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(assembly)!, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DataDirectory"] = data;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        if (setting is { } extra)
        {
            info.Environment[extra.Key] = extra.Value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}
