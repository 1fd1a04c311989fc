namespace Lingcheng.Talent.Verification.Options;

/// <summary>Settings of the verification service (configuration section <c>Verification</c>).</summary>
public sealed class VerificationOptions
{
    public const string Section = "Verification";

    /// <summary>How often the registry's trust list is fetched again (seconds).</summary>
    public int TrustListRefreshSeconds { get; set; } = 60;

    /// <summary>
    /// Least time between two out-of-schedule trust list fetches caused by a kid the list does not
    /// hold (seconds), so a flood of foreign tokens cannot turn into a flood of registry calls.
    /// </summary>
    public double UnknownKidRefreshSeconds { get; set; } = 5;

    /// <summary>Clock skew tolerated on the token's iat, nbf and exp (SPEC §4: 60 s).</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>Deadline of the entitlement calls made while an agency waits (milliseconds).</summary>
    public int EntitlementsDeadlineMilliseconds { get; set; } = 1500;

    /// <summary>Deadline of the entitlement service's Redeem and CancelRedemption (writes; milliseconds).</summary>
    public int RedeemDeadlineMilliseconds { get; set; } = 5000;

    /// <summary>Deadline of the registry calls made while an agency waits: photo, unknown-card check (milliseconds).</summary>
    public int RegistryDeadlineMilliseconds { get; set; } = 1500;

    /// <summary>How many verified token signatures are remembered (by QR text); 0 turns the cache off.</summary>
    public int SignatureCacheSize { get; set; } = 20_000;

    /// <summary>The feed is considered dead when nothing (not even a heartbeat) arrives for this long (seconds).</summary>
    public int FeedIdleTimeoutSeconds { get; set; } = 20;

    /// <summary>Most audit records committed in one transaction.</summary>
    public int AuditBatchSize { get; set; } = 500;

    /// <summary>
    /// SQLite only: the holder's-list notes of committed records are written, sorted, in a transaction of
    /// their own once this many wait (or the oldest has waited a second, or a list is asked for).
    /// Larger batches share more index pages; each is a pause of the audit writer (docs/performance.md).
    /// </summary>
    public int CardNoteBatch { get; set; } = 64;

    /// <summary>
    /// SQLite only: when true, audit commits of verifies are written to the WAL without waiting for
    /// the disk (synchronous=NORMAL): they survive a killed process but not a power cut or kernel crash.
    /// Default false (synchronous=FULL, every answer waits for its record's fsync). See docs/performance.md.
    /// </summary>
    public bool AuditSkipsFsync { get; set; }

    /// <summary>Rate limit per agency terminal.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>Token bucket per agency terminal (agency + terminal claim).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sustained calls per second per terminal; 0 or less turns the limit off.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>Bucket size: calls a terminal may make at once after being idle.</summary>
    public int Burst { get; set; } = 100;
}
