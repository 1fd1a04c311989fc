using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.ServiceDefaults.Auth;

/// <summary>
/// The JWT handler of the services' bearer schemes, which remembers the tokens it found valid. A
/// terminal, an HR officer's browser or another service sends the same access token with every call
/// until it expires, and the provider's tokens are ES256: without this every call paid one ECDSA P-256
/// verify for its token (≈ 90 µs here, as much as the card token's own check) besides parsing it.
/// A remembered token is taken again, as the exact same text, until the earlier of its <c>exp</c> (the
/// handler itself would allow <c>ClockSkew</c> more) and <see cref="RememberFor"/> after it was checked,
/// so a signing key the provider withdraws stops working for remembered tokens within that time once the
/// service has fetched the provider's keys again. Each call gets its own copy of the claims. Only valid
/// tokens are remembered: a token refused once is checked in full every time. At most
/// <see cref="Capacity"/> tokens are kept; then the memory starts afresh.
/// </summary>
public sealed class RememberingTokenHandler(TimeProvider? time = null) : JsonWebTokenHandler
{
    /// <summary>How long a token found valid is taken without checking it again (at most until its exp).</summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);

    /// <summary>The most tokens remembered at once.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Remembered> _valid = new(StringComparer.Ordinal);

    private sealed record Remembered(TokenValidationResult Result, DateTime Until);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        if (token is not null && _valid.TryGetValue(token, out var remembered))
        {
            if (now < remembered.Until)
            {
                return Copy(remembered.Result);
            }

            _valid.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (token is not null && result.IsValid && result.SecurityToken is JsonWebToken jwt && jwt.ValidTo > now)
        {
            if (_valid.Count >= Capacity)
            {
                _valid.Clear();
            }

            var until = jwt.ValidTo < now + RememberFor ? jwt.ValidTo : now + RememberFor;
            _valid[token] = new Remembered(Copy(result), until);
        }

        return result;
    }

    /// <summary>A valid result with its own copy of the claims, so no caller's change reaches another.</summary>
    private static TokenValidationResult Copy(TokenValidationResult valid) => new()
    {
        IsValid = true,
        SecurityToken = valid.SecurityToken,
        ClaimsIdentity = valid.ClaimsIdentity.Clone(),
        Issuer = valid.Issuer,
        TokenType = valid.TokenType,
    };
}
