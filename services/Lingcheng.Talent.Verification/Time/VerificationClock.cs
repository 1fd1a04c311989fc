namespace Lingcheng.Talent.Verification.Time;

/// <summary>
/// The clock that judges tokens and cards (iat, nbf, exp, card expiry): the service's
/// <see cref="TimeProvider"/> shifted by <c>Verification:ClockOffsetSeconds</c>, which is 0 except
/// in end-to-end tests of expiry (see docs/verification.md). Service tokens and audit times use the
/// unshifted clock, so a shifted test replica still talks to the other services.
/// </summary>
public sealed class VerificationClock(TimeProvider inner, TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset => offset;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
}
