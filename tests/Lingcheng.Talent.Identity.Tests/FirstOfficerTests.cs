using System.Diagnostics;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Identity.Tests;

/// <summary>A fresh install's first HR officer: created once from the command line with a temporary password; a second run changes nothing.</summary>
public sealed class FirstOfficerTests
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

    private static async Task<(int Code, string Output)> RunAsync(string data, params string[] args)
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
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}
