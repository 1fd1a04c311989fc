using Lingcheng.Talent.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// How a service's process ends (<see cref="Extensions.RunUntilStoppedAsync"/>, used by every service):
/// a supervisor restarting failures must be able to tell a crash of a background part, such as the
/// audit writer, from a clean stop.
/// </summary>
public sealed class ServiceExitCodeTests
{
    [Fact]
    public async Task A_service_whose_background_part_fails_exits_with_code_1() =>
        Assert.Equal(1, await RunWithAsync<FailsAfterStart>());

    [Fact]
    public async Task A_service_asked_to_stop_exits_with_code_0() =>
        Assert.Equal(0, await RunWithAsync<StopsTheHost>());

    private static Task<int> RunWithAsync<TService>()
        where TService : class, IHostedService
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddHostedService<TService>();
        return builder.Build().RunUntilStoppedAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    private sealed class FailsAfterStart : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(50, stoppingToken);
            throw new InvalidOperationException("the disk went away");
        }
    }

    // Stands for Ctrl+C or SIGTERM: the host is asked to stop while its background parts run on.
    private sealed class StopsTheHost(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(50, stoppingToken);
            lifetime.StopApplication();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
