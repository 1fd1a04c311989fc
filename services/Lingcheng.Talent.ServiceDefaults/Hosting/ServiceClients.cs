using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Calls;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Typed gRPC clients for calls between services (grpc-dotnet Aggregator/Retrier examples):
/// address from <c>Services:{name}</c>, a service bearer token, a deadline on every unary call,
/// retries for UNAVAILABLE only, prompt reconnects and HTTP/2 keep-alive pings.
/// </summary>
/// <remarks>
/// <para><b>Prompt reconnect.</b> Grpc.Net.Client spaces its connection attempts exponentially, up to 120 s by
/// default, and while it waits every call fails at once with UNAVAILABLE without trying to connect. A feed
/// consumer that retries every 2 s therefore stayed disconnected long after the registry was back: after a
/// 60 s registry outage a revocation reached the verification service 41 s after it was made
/// (docs/reliability.md). The channel's reconnect backoff is capped at <see cref="MaxReconnectBackoff"/>.</para>
/// <para><b>Keep-alive pings.</b> A connection whose peer vanished without closing it (a host gone, a NAT or
/// proxy that dropped the flow) looks open to the socket for as long as the kernel keeps it, and every call
/// on it, a reopened feed stream included, waits in vain. The handler sends an HTTP/2 PING every
/// <c>ServiceClients:KeepAlivePingDelaySeconds</c> (10) and closes the connection when no answer comes within
/// <c>ServiceClients:KeepAlivePingTimeoutSeconds</c> (5), so the next call opens a new one. The feeds' idle
/// watchdog (<see cref="Feeds.FeedConsumer{TMessage}"/>) catches a stream that stalls on a live connection.</para>
/// </remarks>
public static class ServiceClients
{
    /// <summary>The longest wait between two connection attempts of a channel.</summary>
    public static readonly TimeSpan MaxReconnectBackoff = TimeSpan.FromSeconds(2);

    /// <summary>The keep-alive ping settings of <paramref name="configuration"/>: delay (default 10 s) and timeout (default 5 s), each at least 1 s.</summary>
    public static (TimeSpan Delay, TimeSpan Timeout) KeepAlive(IConfiguration configuration) =>
        (TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("ServiceClients:KeepAlivePingDelaySeconds", 10.0))),
         TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("ServiceClients:KeepAlivePingTimeoutSeconds", 5.0))));

    public static IHttpClientBuilder AddServiceClient<TClient>(this IHostApplicationBuilder builder, string serviceName, TimeSpan? deadline = null)
        where TClient : ClientBase
    {
        builder.Services.AddSingleton<ServiceTokenSource>();
        var address = builder.Configuration[$"Services:{serviceName}"]
            ?? throw new InvalidOperationException($"Services:{serviceName} (the address of the {serviceName} service) is not configured.");
        var unaryDeadline = deadline ?? TimeSpan.FromSeconds(5);
        var keepAlive = KeepAlive(builder.Configuration);
        return builder.Services
            .AddGrpcClient<TClient>(o =>
            {
                o.Address = new Uri(address);
                o.ChannelOptionsActions.Add(c =>
                {
                    c.UnsafeUseInsecureChannelCallCredentials = true; // cleartext HTTP/2 on one machine; TLS in production
                    c.InitialReconnectBackoff = TimeSpan.FromMilliseconds(250);
                    c.MaxReconnectBackoff = MaxReconnectBackoff;
                    // The SDK's retry policy (UNAVAILABLE only), with shorter waits: these calls have callers waiting.
                    c.ServiceConfig = CallPolicies.RetryOnUnavailable(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
                });
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // What the gRPC client factory sets by default, kept: long-lived connections, more than one when a
                // connection's stream limit is reached (the feeds hold streams open for the service's life).
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = keepAlive.Delay,
                KeepAlivePingTimeout = keepAlive.Timeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            })
            .AddCallCredentials(async (context, metadata, sp) =>
                metadata.Add("Authorization", "Bearer " + await sp.GetRequiredService<ServiceTokenSource>().GetTokenAsync(context.CancellationToken)))
            .AddInterceptor(() => new DefaultDeadlineInterceptor(unaryDeadline));
    }
}

/// <summary>
/// The bearer token this service presents to others: with <c>Auth:Authority</c> and <c>Auth:ClientId</c>,
/// one from the authority by client credentials (the secret from <c>Auth:ClientSecretFile</c>, a mounted
/// secret, or <c>Auth:ClientSecret</c>); else <c>Auth:ServiceTokenFile</c> when a platform's token agent
/// writes one; else one minted from the development key.
/// </summary>
public sealed class ServiceTokenSource(IConfiguration configuration, IHostEnvironment environment, TimeProvider time, IServiceProvider services)
{
    private readonly Lock _gate = new();
    private readonly ClientCredentials? _credentials = CredentialsFrom(configuration, time);
    private string? _token;
    private DateTimeOffset _refreshAt;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        if (_credentials is not null)
        {
            return await _credentials.GetTokenAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_token is null || now >= _refreshAt)
            {
                var file = configuration["Auth:ServiceTokenFile"];
                if (!string.IsNullOrEmpty(file))
                {
                    _token = File.ReadAllText(file).Trim();
                    _refreshAt = now.AddMinutes(1);
                }
                else
                {
                    var tokens = services.GetRequiredService<DevelopmentTokens>();
                    _token = tokens.Mint(Roles.Service, ServiceNames.Of(environment, configuration["Auth:ClientId"]), lifetime: TimeSpan.FromHours(1), now: now);
                    _refreshAt = now.AddMinutes(30);
                }
            }

            return _token;
        }
    }

    private static ClientCredentials? CredentialsFrom(IConfiguration configuration, TimeProvider time)
    {
        var auth = configuration.GetSection("Auth");
        if (string.IsNullOrEmpty(auth["Authority"]) || string.IsNullOrEmpty(auth["ClientId"]))
        {
            return null;
        }

        // On one machine the provider and the services share the data folder and whichever starts first
        // creates the secret file (KeyFiles); in production it is a mounted secret that already exists.
        var secret = auth["ClientSecretFile"] is { Length: > 0 } file ? KeyFiles.Read(file, create: true)
            : auth["ClientSecret"] ?? throw new InvalidOperationException("Auth:ClientId is set but neither Auth:ClientSecretFile nor Auth:ClientSecret.");
        return new ClientCredentials(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, auth["Authority"]!, auth["ClientId"]!, secret, time);
    }
}
