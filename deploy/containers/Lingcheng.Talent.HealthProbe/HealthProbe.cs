using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Lingcheng.Talent.HealthProbe;

/// <summary>
/// Calls <c>grpc.health.v1.Health/Check</c> once and turns the answer into an exit code, the
/// contract of a container HEALTHCHECK: 0 healthy, 1 not. Usage:
/// <c>lingcheng-healthprobe [address] [service]</c>; the address defaults to the image's loopback
/// cleartext HTTP/2 endpoint <c>http://127.0.0.1:8080</c>, the service to "" (the whole server).
/// </summary>
public static class HealthProbe
{
    public const string DefaultAddress = "http://127.0.0.1:8080";

    /// <summary>How long the probe waits for an answer; a container runtime kills it after its own timeout anyway.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var address = args.Length > 0 ? args[0] : DefaultAddress;
        var service = args.Length > 1 ? args[1] : "";
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await error.WriteLineAsync($"not an http(s) address: {address}");
            return 2;
        }

        try
        {
            using var channel = GrpcChannel.ForAddress(uri);
            var client = new Health.HealthClient(channel);
            var response = await client.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow + Deadline);
            await output.WriteLineAsync($"{uri} {response.Status}");
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (RpcException ex)
        {
            await error.WriteLineAsync($"{uri} {ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }
    }
}
