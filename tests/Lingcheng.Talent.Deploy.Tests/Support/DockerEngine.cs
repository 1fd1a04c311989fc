using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lingcheng.Talent.Deploy.Tests.Support;

/// <summary>
/// Whether a Docker engine answers, so Testcontainers can start SQL Server. The client binary may exist
/// without an engine (as on this project's build machine), so the check pings the engine's API:
/// <c>DOCKER_HOST</c> (unix:// or tcp://) or <c>/var/run/docker.sock</c>, <c>GET /_ping</c> → <c>OK</c>.
/// </summary>
public static class DockerEngine
{
    private static readonly Lazy<Task<string?>> Reason = new(ProbeAsync);

    /// <summary>Null when the engine answers; otherwise why the SQL Server tests are skipped.</summary>
    public static Task<string?> UnavailableReasonAsync() => Reason.Value;

    private static async Task<string?> ProbeAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        EndPoint endpoint;
        string where;
        if (string.IsNullOrEmpty(host) || host.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = string.IsNullOrEmpty(host) ? "/var/run/docker.sock" : host["unix://".Length..];
            if (!File.Exists(path))
            {
                return $"Docker is not available: no engine socket at {path}.";
            }

            endpoint = new UnixDomainSocketEndPoint(path);
            where = path;
        }
        else if (Uri.TryCreate(host, UriKind.Absolute, out var uri) && uri.Scheme == "tcp")
        {
            endpoint = new DnsEndPoint(uri.Host, uri.Port);
            where = host;
        }
        else
        {
            return $"Docker is not available: DOCKER_HOST={host} is not a unix:// or tcp:// address.";
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            using var socket = endpoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint, timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"), timeout.Token);
            var buffer = new byte[1024];
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("HTTP/1.", StringComparison.Ordinal) && answer.Contains(" 200 ", StringComparison.Ordinal)
                ? null
                : $"Docker is not available: {where} answered '{answer.Split('\n')[0].Trim()}' to /_ping.";
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            return $"Docker is not available: {where} does not answer ({ex.Message}).";
        }
    }
}
