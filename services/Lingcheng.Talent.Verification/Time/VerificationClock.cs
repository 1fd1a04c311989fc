namespace Lingcheng.Talent.Verification.Time;

/// <summary>
/// The clock that judges tokens and cards (iat, nbf, exp, card expiry): the service's
/// <see cref="TimeProvider"/>, shifted by <paramref name="offset"/>, which is zero in the service. End-to-end tests
/// of expiry host a replica in process with a shifted one (docs/verification.md). Service tokens and audit times use
/// the unshifted clock, so such a replica still talks to the other services.
/// </summary>
public sealed class VerificationClock(TimeProvider inner, TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset => offset;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
}
