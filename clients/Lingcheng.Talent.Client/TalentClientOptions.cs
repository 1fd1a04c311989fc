namespace Lingcheng.Talent.Client;

/// <summary>
/// Where the three services are and how to authenticate to them. The defaults are the local
/// development ports of SPEC §8.
/// </summary>
public sealed class TalentClientOptions
{
    /// <summary>Default address of the talent registry.</summary>
    public const string DefaultRegistryAddress = "http://127.0.0.1:5101";

    /// <summary>Default address of the entitlement service.</summary>
    public const string DefaultEntitlementsAddress = "http://127.0.0.1:5102";

    /// <summary>Default address of the verification service.</summary>
    public const string DefaultVerificationAddress = "http://127.0.0.1:5103";

    /// <summary>Address of the talent registry (gRPC).</summary>
    public Uri RegistryAddress { get; set; } = new(DefaultRegistryAddress);

    /// <summary>Address of the entitlement service (gRPC).</summary>
    public Uri EntitlementsAddress { get; set; } = new(DefaultEntitlementsAddress);

    /// <summary>Address of the verification service (gRPC).</summary>
    public Uri VerificationAddress { get; set; } = new(DefaultVerificationAddress);

    /// <summary>A fixed bearer token. Ignored when <see cref="TokenProvider"/> is set.</summary>
    public string? BearerToken { get; set; }

    /// <summary>
    /// Gives the bearer token for each call (for tokens that expire and are refreshed, e.g. from
    /// the district's OIDC provider). Takes precedence over <see cref="BearerToken"/>.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? TokenProvider { get; set; }

    /// <summary>Deadline given to unary calls that set none themselves.</summary>
    public TimeSpan DefaultDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a call is attempted in all when the service answers UNAVAILABLE (1 turns retries off).</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Largest response message accepted (bytes).</summary>
    public int MaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Optional handler, e.g. for tests or a proxy; the channels own it.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
}
