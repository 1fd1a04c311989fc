using System.Collections.Concurrent;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Verification.Options;
using Lingcheng.Talent.Verification.Time;
using Lingcheng.Talent.Verification.Trust;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Verifying;

/// <summary>
/// The offline part of a verification: the card-token library's <see cref="CardTokenVerifier"/>
/// against the registry's trust list, with two additions. A kid the list does not hold triggers
/// one (rate-limited) fetch of the list and a second try, so a freshly rotated key works at once.
/// And the result of a verified signature is remembered by QR text (the same printed card is
/// scanned again and again — SPEC §7.1 "repeated tokens"; phone tokens are not kept): a repeat skips Base45, COSE and the
/// ECDSA check but re-runs the time checks, so a token never outlives its nbf/iat/exp because it
/// was cached. Card state is checked by the caller every time. The memory is cleared whenever
/// the trust list changes, so a revoked or retired key takes effect at once.
/// </summary>
public sealed class TokenChecker
{
    private readonly CardTokenVerifier _verifier;
    private readonly TrustListSource _trust;
    private readonly TimeProvider _time;
    private readonly long _skewSeconds;
    private readonly int _cacheSize;
    private readonly ConcurrentDictionary<string, TokenCheck> _verified = new(StringComparer.Ordinal);

    public TokenChecker(TrustListSource trust, VerificationClock time, IOptions<VerificationOptions> options)
    {
        _trust = trust;
        _time = time;
        _skewSeconds = Math.Max(0, options.Value.ClockSkewSeconds);
        _cacheSize = Math.Max(0, options.Value.SignatureCacheSize);
        _verifier = new CardTokenVerifier(time, new CardTokenVerifierOptions { ClockSkew = TimeSpan.FromSeconds(_skewSeconds) });
        trust.Changed += _verified.Clear;
    }

    /// <summary>Checks a QR text. Never throws because of the text.</summary>
    public async ValueTask<TokenCheck> CheckAsync(string? qrText)
    {
        if (qrText is not null && _cacheSize > 0 && _verified.TryGetValue(qrText, out var cached))
        {
            return Recheck(cached);
        }

        var trustList = _trust.Current;
        var check = _verifier.Verify(qrText, trustList);
        if (check.Outcome == TokenOutcome.UnknownKey && check.Kid is { } kid && !trustList.TryGetKey(kid, out _)
            && await _trust.RefreshForUnknownKidAsync() && !ReferenceEquals(trustList, _trust.Current))
        {
            check = _verifier.Verify(qrText, _trust.Current);
        }

        // Only printed (static) tokens are remembered: a phone's dynamic token is new on every refresh,
        // so remembering it would only churn the memory and push out the printed cards that do repeat.
        if (qrText is not null && _cacheSize > 0 && check.SignatureVerified && check.Claims?.Kind == TokenKind.Static && IsTimeOutcome(check.Outcome))
        {
            if (_verified.Count >= _cacheSize)
            {
                _verified.Clear(); // crude but cheap; the working set of a day's desks refills it quickly
            }

            _verified[qrText] = check;
        }

        return check;
    }

    private static bool IsTimeOutcome(TokenOutcome outcome) =>
        outcome is TokenOutcome.Valid or TokenOutcome.NotYetValid or TokenOutcome.TokenExpired or TokenOutcome.Expired;

    /// <summary>The time checks of <see cref="CardTokenVerifier"/>, in its order, for a remembered signature.</summary>
    private TokenCheck Recheck(TokenCheck check)
    {
        var claims = check.Claims!;
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var (outcome, detail) =
            claims.NotBefore is { } nbf && nbf.ToUnixTimeSeconds() > now + _skewSeconds ? (TokenOutcome.NotYetValid, "the token is not valid yet (nbf)")
            : claims.IssuedAt.ToUnixTimeSeconds() > now + _skewSeconds ? (TokenOutcome.NotYetValid, "the token is issued in the future (iat)")
            : now >= claims.ExpiresAt.ToUnixTimeSeconds() + _skewSeconds
                ? claims.Kind == TokenKind.Dynamic
                    ? (TokenOutcome.TokenExpired, "the dynamic token has expired; refresh the QR")
                    : (TokenOutcome.Expired, "the card has expired")
            : (TokenOutcome.Valid, (string?)null);
        return outcome == check.Outcome ? check : check with { Outcome = outcome, Detail = detail };
    }
}
