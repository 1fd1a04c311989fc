using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Lingcheng.Talent.Calls;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Client;

/// <summary>
/// Typed clients for the three services over one channel each, with the bearer token on every
/// call, a default deadline on unary calls, and retries when a service answers UNAVAILABLE
/// (a restart, a replica going away). Create one per process and reuse it; dispose it at the end.
/// </summary>
/// <example>
/// <code>
/// using var clients = new TalentClients(new TalentClientOptions { BearerToken = token });
/// var result = await clients.Verification.VerifyAsync(new VerifyRequest { QrText = scanned });
/// </code>
/// </example>
public sealed class TalentClients : IDisposable
{
    private readonly GrpcChannel _registryChannel;
    private readonly GrpcChannel _entitlementsChannel;
    private readonly GrpcChannel _verificationChannel;

    /// <summary>Creates the channels; nothing connects until the first call.</summary>
    public TalentClients(TalentClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _registryChannel = CreateChannel(options.RegistryAddress, options);
        _entitlementsChannel = CreateChannel(options.EntitlementsAddress, options);
        _verificationChannel = CreateChannel(options.VerificationAddress, options);

        var deadline = new DefaultDeadlineInterceptor(options.DefaultDeadline);
        Registry = new TalentRegistryService.TalentRegistryServiceClient(_registryChannel.Intercept(deadline));
        Entitlements = new EntitlementService.EntitlementServiceClient(_entitlementsChannel.Intercept(deadline));
        Verification = new VerificationService.VerificationServiceClient(_verificationChannel.Intercept(deadline));
    }

    /// <summary>The options the clients were made with.</summary>
    public TalentClientOptions Options { get; }

    /// <summary>The talent registry: talents, cards, keys, trust list, revocation snapshots.</summary>
    public TalentRegistryService.TalentRegistryServiceClient Registry { get; }

    /// <summary>The entitlement service: benefit catalogue, entitlements, use history, statistics.</summary>
    public EntitlementService.EntitlementServiceClient Entitlements { get; }

    /// <summary>The verification service: verify, redeem, cancel, agencies, who verified a card.</summary>
    public VerificationService.VerificationServiceClient Verification { get; }

    /// <summary>
    /// The retry policy of every method: up to <paramref name="maxAttempts"/> attempts with
    /// exponential backoff (<paramref name="initialBackoff"/>, default 200 ms, doubling up to
    /// <paramref name="maxBackoff"/>, default 2 s), for UNAVAILABLE only (the other codes mean the call
    /// reached a service that decided). Writes are safe to retry because every write carries a request id.
    /// The services' channels to each other use the same policy (ServiceDefaults' ServiceClients).
    /// </summary>
    public static ServiceConfig RetryServiceConfig(int maxAttempts, TimeSpan? initialBackoff = null, TimeSpan? maxBackoff = null) =>
        CallPolicies.RetryOnUnavailable(maxAttempts, initialBackoff, maxBackoff);

    /// <inheritdoc/>
    public void Dispose()
    {
        _registryChannel.Dispose();
        _entitlementsChannel.Dispose();
        _verificationChannel.Dispose();
    }

    private static GrpcChannel CreateChannel(Uri address, TalentClientOptions options)
    {
        var credentials = CallCredentials.FromInterceptor(async (context, metadata) =>
        {
            var token = options.TokenProvider is { } provider
                ? await provider(context.CancellationToken).ConfigureAwait(false)
                : options.BearerToken;
            if (!string.IsNullOrEmpty(token))
            {
                metadata.Add("Authorization", "Bearer " + token);
            }
        });

        var channelOptions = new GrpcChannelOptions
        {
            Credentials = address.Scheme == Uri.UriSchemeHttps
                ? ChannelCredentials.Create(ChannelCredentials.SecureSsl, credentials)
                : ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),

            // Cleartext HTTP/2 is for one machine (development, tests); production uses TLS.
            UnsafeUseInsecureChannelCallCredentials = address.Scheme == Uri.UriSchemeHttp,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            ServiceConfig = options.MaxAttempts > 1 ? RetryServiceConfig(options.MaxAttempts) : null,
            HttpHandler = options.HttpHandler,
            DisposeHttpClient = true,
        };
        return GrpcChannel.ForAddress(address, channelOptions);
    }
}
