using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Lingcheng.Talent.HealthProbe;

/// <summary>
/// Asks a server once whether it is healthy and turns the answer into an exit code, the contract of a
/// container HEALTHCHECK: 0 healthy, 1 not, 2 a usage error. Two modes:
/// <list type="bullet">
/// <item><c>lingcheng-healthprobe [address] [service]</c>: calls <c>grpc.health.v1.Health/Check</c> (the three
/// gRPC services); the address defaults to the image's loopback cleartext HTTP/2 endpoint
/// <c>http://127.0.0.1:8080</c>, the service to "" (the whole server). Healthy means SERVING.</item>
/// <item><c>lingcheng-healthprobe --http URL</c>: a plain GET (the identity provider's <c>/healthz/ready</c>, the
/// web app's <c>/health</c>, which are not gRPC). Healthy means a 2xx answer.</item>
/// </list>
/// Without arguments the probe reads them from <see cref="ArgumentsFile"/> beside itself when there is one:
/// the image build writes it per service, because a HEALTHCHECK cannot expand a build argument.
/// </summary>
public static class HealthProbe
{
    public const string DefaultAddress = "http://127.0.0.1:8080";

    /// <summary>The file of default arguments (one line, separated by spaces) beside the probe.</summary>
    public const string ArgumentsFile = "lingcheng-healthprobe.args";

    /// <summary>How long the probe waits for an answer; a container runtime kills it after its own timeout anyway.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    /// <summary>The arguments given, or when there are none, those of <see cref="ArgumentsFile"/> in <paramref name="directory"/> (none if it is missing).</summary>
    public static string[] EffectiveArguments(string[] args, string directory)
    {
        var file = Path.Combine(directory, ArgumentsFile);
        return args.Length > 0 || !File.Exists(file)
            ? args
            : File.ReadAllText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var http = args.Length > 0 && args[0] == "--http";
        if (http && args.Length != 2)
        {
            await error.WriteLineAsync("usage: lingcheng-healthprobe --http URL");
            return 2;
        }

        var address = http ? args[1] : args.Length > 0 ? args[0] : DefaultAddress;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await error.WriteLineAsync($"not an http(s) address: {address}");
            return 2;
        }

        return http ? await CheckHttpAsync(uri, output, error) : await CheckGrpcAsync(uri, args.Length > 1 ? args[1] : "", output, error);
    }

    private static async Task<int> CheckGrpcAsync(Uri uri, string service, TextWriter output, TextWriter error)
    {
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

    private static async Task<int> CheckHttpAsync(Uri uri, TextWriter output, TextWriter error)
    {
        // HTTP/1.1, no redirects followed: a health endpoint answers itself, and a redirect (to a sign-in page,
        // say) means the probe asks the wrong path.
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Deadline };
        try
        {
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            await output.WriteLineAsync($"{uri} {(int)response.StatusCode} {response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"{uri} Unavailable: {(ex is TaskCanceledException ? $"no answer within {Deadline.TotalSeconds:0} s" : ex.Message)}");
            return 1;
        }
    }
}
