using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace Lingcheng.Talent.Identity.Accounts;

/// <summary>
/// The authenticator app's codes (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits), each accepted once. ASP.NET Core
/// Identity's own provider accepts a code of the two steps before or after the current one, as often as it is
/// sent; RFC 6238 §5.2 says a verifier must not accept a code again after it accepted it once. This provider
/// keeps the same window (a phone's clock may be a minute off) and remembers, with the account, the step of the
/// last code it accepted: that code, and any of an earlier step, is refused from then on. So a code seen over a
/// shoulder or read from a proxy's log is worth nothing once its owner has used it. The step is stored as the
/// account's authentication token <c>AuthenticatorStep</c> (Identity's own token table); a concurrent second
/// use of the same code loses on the account's concurrency stamp.
/// </summary>
public sealed class SingleUseAuthenticatorCodes(TimeProvider time) : IUserTwoFactorTokenProvider<Account>
{
    /// <summary>Steps before or after the current one whose codes are accepted (Identity's window).</summary>
    public const int Window = 2;

    private const string Store = "[AspNetUserStore]", StepName = "AuthenticatorStep";

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<Account> manager, Account user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>The app makes the codes; the provider never sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<Account> manager, Account user) => Task.FromResult("");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<Account> manager, Account user)
    {
        if (token.Length != 6 || !token.All(char.IsAsciiDigit) || await manager.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } base32
            || Base32(base32) is not { } key)
        {
            return false;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds() / 30;
        var used = long.TryParse(await manager.GetAuthenticationTokenAsync(user, Store, StepName), CultureInfo.InvariantCulture, out var last) ? last : long.MinValue;
        for (var step = Math.Max(now - Window, used + 1); step <= now + Window; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Code(key, step)), Encoding.ASCII.GetBytes(token)))
            {
                return (await manager.SetAuthenticationTokenAsync(user, Store, StepName, step.ToString(CultureInfo.InvariantCulture))).Succeeded;
            }
        }

        return false;
    }

    /// <summary>The code of one time step (RFC 4226 §5.3 dynamic truncation).</summary>
    private static string Code(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(key, counter, hash);
        var offset = hash[^1] & 0x0f;
        var value = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (value % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 base32 (Identity writes the authenticator key so); null when the text is not base32.</summary>
    private static byte[]? Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            var value = alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }
}
