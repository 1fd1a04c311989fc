using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.Client.Auth;

/// <summary>
/// Mints and validates bearer tokens signed with the development key (HMAC-SHA256).
/// For local use and tests only: production validates tokens of the district's OIDC provider.
/// </summary>
public sealed class DevelopmentTokens(byte[] key)
{
    /// <summary>Issuer of development tokens.</summary>
    public const string Issuer = "lingcheng-dev";

    /// <summary>Audience every service accepts.</summary>
    public const string Audience = "lingcheng-talent";

    /// <summary>The signing key, for token validation parameters.</summary>
    public SymmetricSecurityKey SecurityKey { get; } = new(key) { KeyId = "dev" };

    /// <summary>Reads the development key from a file, creating it (32 random bytes, base64) when asked and missing.</summary>
    public static DevelopmentTokens FromFile(string path, bool createIfMissing)
    {
        if (!File.Exists(path))
        {
            if (!createIfMissing)
            {
                throw new FileNotFoundException(
                    $"Development token key not found at '{path}'. Start the system once (it generates the key) or set LCT_DEV_KEY_FILE.", path);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);

            // Written whole under a temporary name, then moved into place without overwriting: processes
            // starting together (the services and the web app on a fresh data folder) agree on the first
            // key, and none reads a half-written file or one still held open by its writer.
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // a secret: the owner only
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary); // another process placed its key first; read theirs below
            }
        }

        var text = File.ReadAllText(path).Trim();
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
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
