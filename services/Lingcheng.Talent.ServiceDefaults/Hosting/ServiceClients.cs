using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client.Configuration;
using Lingcheng.Talent.Client.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Typed gRPC clients for calls between services (grpc-dotnet Aggregator/Retrier examples):
/// address from <c>Services:{name}</c>, a service bearer token, a deadline on every unary call,
/// and retries for UNAVAILABLE only.
/// </summary>
public static class ServiceClients
{
    public static IHttpClientBuilder AddServiceClient<TClient>(this IHostApplicationBuilder builder, string serviceName, TimeSpan? deadline = null)
        where TClient : ClientBase
    {
        builder.Services.AddSingleton<ServiceTokenSource>();
        var address = builder.Configuration[$"Services:{serviceName}"]
            ?? throw new InvalidOperationException($"Services:{serviceName} (the address of the {serviceName} service) is not configured.");
        var unaryDeadline = deadline ?? TimeSpan.FromSeconds(5);
        return builder.Services
            .AddGrpcClient<TClient>(o =>
            {
                o.Address = new Uri(address);
                o.ChannelOptionsActions.Add(c =>
                {
                    c.UnsafeUseInsecureChannelCallCredentials = true; // cleartext HTTP/2 on one machine; TLS in production
                    c.ServiceConfig = new ServiceConfig
                    {
                        MethodConfigs =
                        {
                            new MethodConfig
                            {
                                Names = { MethodName.Default },
                                RetryPolicy = new RetryPolicy
                                {
                                    MaxAttempts = 3,
                                    InitialBackoff = TimeSpan.FromMilliseconds(100),
                                    MaxBackoff = TimeSpan.FromSeconds(1),
                                    BackoffMultiplier = 2,
                                    RetryableStatusCodes = { StatusCode.Unavailable },
                                },
                            },
                        },
                    };
                });
            })
            .AddCallCredentials(async (context, metadata, sp) =>
                metadata.Add("Authorization", "Bearer " + await sp.GetRequiredService<ServiceTokenSource>().GetTokenAsync(context.CancellationToken)))
            .AddInterceptor(() => new DefaultDeadlineInterceptor(unaryDeadline));
    }
}

/// <summary>Gives unary calls a deadline when the caller set none.</summary>
public sealed class DefaultDeadlineInterceptor(TimeSpan deadline) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (context.Options.Deadline is null)
        {
            context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline));
        }

        return continuation(request, context);
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
