using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.Auth;

/// <summary>
/// Mints and validates bearer tokens signed with the development key (HMAC-SHA256).
/// For local use and tests only: production validates tokens of the district's OIDC provider.
/// </summary>
public sealed class DevelopmentTokens(byte[] key)
{
    /// <summary>Issuer of development tokens.</summary>
    public const string Issuer = "lingcheng-dev";

    /// <summary>The <c>typ</c> header of development tokens, which the services pin (the provider's are <c>at+jwt</c>).</summary>
    public const string TokenType = "JWT";

    /// <summary>Audience every service accepts.</summary>
    public const string Audience = "lingcheng-talent";

    /// <summary>The signing key, for token validation parameters.</summary>
    public SymmetricSecurityKey SecurityKey { get; } = new(key) { KeyId = "dev" };

    /// <summary>Reads the development key from a file, creating it (32 random bytes, base64) when asked and missing.</summary>
    public static DevelopmentTokens FromFile(string path, bool createIfMissing)
    {
        if (!createIfMissing && !File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Development token key not found at '{path}'. Start the system once (it generates the key) or set LCT_DEV_KEY_FILE.", path);
        }

        var text = KeyFiles.Read(path, create: createIfMissing);
        return text.Length > 0
            ? new DevelopmentTokens(Convert.FromBase64String(text))
            : throw new InvalidOperationException($"Development token key file '{path}' is empty.");
    }

    /// <summary>Mints a token for a role, with the agency or card claim that role needs.</summary>
    public string Mint(
        string role,
        string subject,
        string? agency = null,
        string? card = null,
        string? terminal = null,
        TimeSpan? lifetime = null,
        DateTimeOffset? now = null)
    {
        var issuedAt = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        // A token id (jti), so two tokens minted in the same second for the same caller still differ.
        var claims = new Dictionary<string, object> { [ClaimNames.Role] = role, [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) };
        if (agency is not null)
        {
            claims[ClaimNames.Agency] = agency;
        }

        if (card is not null)
        {
            claims[ClaimNames.Card] = card;
        }

        if (terminal is not null)
        {
            claims[ClaimNames.Terminal] = terminal;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim(ClaimNames.Subject, subject)]),
            Claims = claims,
            IssuedAt = issuedAt,
            NotBefore = issuedAt.AddSeconds(-5),
            Expires = issuedAt + (lifetime ?? TimeSpan.FromHours(8)),
            SigningCredentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.HmacSha256),
            TokenType = TokenType,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
