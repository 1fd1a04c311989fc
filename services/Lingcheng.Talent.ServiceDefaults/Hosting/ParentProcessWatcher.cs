using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Stops the service when the process that started it is gone (<c>LINGCHENG_PARENT_PID</c>), so a
/// test run or launcher that dies never leaves a service behind.
/// </summary>
public sealed class ParentProcessWatcher(IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<ParentProcessWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(configuration["LINGCHENG_PARENT_PID"], out var pid))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            if (!IsAlive(pid))
            {
                logger.LogWarning("Parent process {ParentPid} has exited; stopping", pid);
                lifetime.StopApplication();
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
