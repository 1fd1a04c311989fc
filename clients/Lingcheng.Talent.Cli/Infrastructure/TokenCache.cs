using System.Text.Json;
using System.Text.Json.Serialization;
using Lingcheng.Talent.Auth;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>The access token <c>lct login</c> obtained, with where it came from and who it is for.</summary>
internal sealed record CachedToken(
    string Authority,
    string AccessToken,
    DateTimeOffset ExpiresAt,
    DateTimeOffset ObtainedAt,
    string? Subject,
    string? Role,
    string? Agency = null,
    string? Terminal = null,
    string? Card = null)
{
    /// <summary>A token this close to its end is treated as expired: a call made with it could fail half-way.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt - Skew;

    /// <summary>The cache entry for a token from <paramref name="authority"/>: the claims are read from the JWT (not validated: the services do that).</summary>
    public static CachedToken For(string authority, string accessToken, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        string? Claim(JsonWebToken jwt, string name) => jwt.TryGetPayloadValue<string>(name, out var value) ? value : null;
        try
        {
            var jwt = new JsonWebToken(accessToken);
            return new CachedToken(authority, accessToken, expiresAt, now, Claim(jwt, ClaimNames.Subject), Claim(jwt, ClaimNames.Role),
                Claim(jwt, ClaimNames.Agency), Claim(jwt, ClaimNames.Terminal), Claim(jwt, ClaimNames.Card));
        }
        catch (ArgumentException)
        {
            return new CachedToken(authority, accessToken, expiresAt, now, null, null); // an opaque token: only the services can read it
        }
    }
}

/// <summary>
/// The per-user file that keeps <c>lct login</c>'s token between commands: <c>LCT_TOKEN_CACHE</c>, else
/// <c>~/.config/lct/token.json</c> (the platform's per-user configuration folder). The file is the
/// owner's alone (0600, its folder 0700 when lct creates it): it is a bearer token.
/// </summary>
internal sealed class TokenCache(string path)
{
    public const string Variable = "LCT_TOKEN_CACHE";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Path { get; } = path;

    /// <summary>The cache of this user: <c>LCT_TOKEN_CACHE</c>, else <c>{config}/lct/token.json</c>.</summary>
    public static TokenCache Default()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path)
        {
            return new TokenCache(System.IO.Path.GetFullPath(path));
        }

        var config = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(config))
        {
            throw new CliException($"no home folder to keep the sign-in in: set {Variable}=FILE");
        }

        return new TokenCache(System.IO.Path.Combine(config, "lct", "token.json"));
    }

    /// <summary>The cached token, or null when there is none.</summary>
    /// <exception cref="CliException">The file exists but is not a token cache.</exception>
    public CachedToken? Load()
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CachedToken>(text, Options) is { AccessToken.Length: > 0, Authority.Length: > 0 } token
                ? token
                : throw new JsonException("no token");
        }
        catch (JsonException)
        {
            throw new CliException($"the sign-in file {Path} is damaged: run `lct logout`, then `lct login`");
        }
    }

    /// <summary>Writes the token: a new owner-only file moved over the old one, so no reader sees half a file.</summary>
    public void Save(CachedToken token)
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var temporary = Path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, token, Options);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // nothing left when the move happened
        }
    }

    /// <summary>Deletes the cached token; false when there was none.</summary>
    public bool Delete()
    {
        if (!File.Exists(Path))
        {
            return false;
        }

        File.Delete(Path);
        return true;
    }
}
