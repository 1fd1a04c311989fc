namespace Lingcheng.Talent.Registry;

/// <summary>Settings of the registry, section <c>Registry</c>.</summary>
public sealed class RegistryOptions
{
    /// <summary>The master key (base64 of 32 bytes) for personal data and the blind index.</summary>
    public string? PersonalDataKey { get; set; }

    /// <summary>A file holding the master key (base64); default <c>{DataDirectory}/keys/personal-data.key</c>.</summary>
    public string? PersonalDataKeyFile { get; set; }

    /// <summary>The signing keys' own key-encryption key (base64 of 32 bytes), separate from the personal-data key.</summary>
    public string? SigningKeyKek { get; set; }

    /// <summary>A file holding the signing-key KEK (base64); default <c>{DataDirectory}/keys/signing-key-kek.key</c>.</summary>
    public string? SigningKeyKekFile { get; set; }

    /// <summary>Default card validity in months (SPEC §3.2: 3 years).</summary>
    public int CardValidityMonths { get; set; } = 36;

    /// <summary>Longest validity a request may ask for; and the bound on a retired signing key's trust when what it signed is not known (keys from before tracking, with no cards).</summary>
    public int MaxCardValidityMonths { get; set; } = 120;

    /// <summary>Lifetime of a dynamic token in seconds (SPEC §4: 120).</summary>
    public int DynamicTokenSeconds { get; set; } = 120;

    /// <summary>Seconds between caught-up heartbeats on an idle event stream.</summary>
    public double EventHeartbeatSeconds { get; set; } = 5;

    /// <summary>Milliseconds between database polls of an event stream (catches writes of other replicas).</summary>
    public int EventPollMilliseconds { get; set; } = 250;

    /// <summary>
    /// How long a request id's first response is kept for retries (default 7 days); older idempotency
    /// records are deleted, and a request id reused after that is a new request.
    /// </summary>
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often old idempotency records are deleted (default hourly).</summary>
    public TimeSpan IdempotencyPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Production: a PEM file with the P-256 signing key to import (once) as the active key.</summary>
    public string? SigningKeyFile { get; set; }
}
