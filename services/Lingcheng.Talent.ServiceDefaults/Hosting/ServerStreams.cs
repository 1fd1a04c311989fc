using Grpc.Core;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Microsoft.Extensions.Hosting;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Server streams that end when the service starts to stop. A feed stream (<c>WatchCardEvents</c>,
/// <c>WatchUsage</c>) never ends by itself, and Kestrel's graceful stop waits for every open request
/// until the host's shutdown timeout: one open feed held a stop for the whole timeout. On
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/> the stream ends at once with UNAVAILABLE
/// "shutting down", which the consumers take as a reason to reconnect (to another replica, or to this
/// one once it is back).
/// </summary>
public static class ServerStreams
{
    public static async Task RunUntilStoppingAsync(this IHostApplicationLifetime lifetime, ServerCallContext context, Func<CancellationToken, Task> stream)
    {
        var stopping = lifetime.ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        try
        {
            await stream(linked.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        if (stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw RpcErrors.Unavailable("SHUTTING_DOWN", "The service is shutting down; reconnect.");
        }
    }
}
