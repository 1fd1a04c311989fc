using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Ports that serve health checks and nothing else (issue 25, item 11): <c>Hosting:HealthOnlyPorts</c>, e.g. <c>8080</c>,
/// the cleartext port Kubernetes' probes use because they cannot speak TLS. On such a port only the gRPC health service
/// (<c>/grpc.health.v1.Health/…</c>) and the HTTP health paths (<c>/health</c>, <c>/healthz/live</c>,
/// <c>/healthz/ready</c>) answer; any other request gets 404 (a gRPC call: UNIMPLEMENTED) before authentication or
/// routing, so the API is served only on the TLS port. The port is the connection's local port, which a client cannot choose
/// by a header.
/// </summary>
public static class HealthOnlyPorts
{
    public const string ConfigurationKey = "Hosting:HealthOnlyPorts";

    private static readonly string[] HealthPaths = ["/health", "/healthz/live", "/healthz/ready"];

    /// <summary>The configured ports (comma or space separated); empty when none.</summary>
    public static IReadOnlySet<int> Of(IConfiguration configuration) =>
        (configuration[ConfigurationKey] ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port
                : throw new InvalidOperationException($"{ConfigurationKey}: '{p}' is not a port number (1–65535)."))
            .ToHashSet();

    /// <summary>Whether the path is one a health-only port serves.</summary>
    public static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal)
        || HealthPaths.Any(h => path.Equals(h, StringComparison.OrdinalIgnoreCase));

    /// <summary>First in the pipeline: on a health-only port, anything but health is refused.</summary>
    public static IApplicationBuilder UseHealthOnlyPorts(this IApplicationBuilder app)
    {
        var ports = Of(app.ApplicationServices.GetRequiredService<IConfiguration>());
        if (ports.Count == 0)
        {
            return app;
        }

        return app.Use((context, next) =>
        {
            if (!ports.Contains(context.Connection.LocalPort) || IsHealthPath(context.Request.Path))
            {
                return next(context);
            }

            var message = $"Port {context.Connection.LocalPort} serves health checks only; the API is on the TLS port.";
            var response = context.Response;
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                response.StatusCode = StatusCodes.Status200OK; // trailers-only gRPC answer
                response.ContentType = "application/grpc";
                response.Headers["grpc-status"] = ((int)Grpc.Core.StatusCode.Unimplemented).ToString(CultureInfo.InvariantCulture);
                response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                return Task.CompletedTask;
            }

            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            return response.WriteAsync(message);
        });
    }
}
