using System.CommandLine;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Client;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// What one command needs from the command line: addresses, the caller's token, JSON or tables,
/// and the typed clients (created on first use and disposed with the context).
/// </summary>
internal sealed class CliContext(ParseResult parseResult) : IDisposable
{
    public const string DefaultDevKeyFile = "data/keys/dev-jwt.key";

    /// <summary>The identity provider of a system run on this machine (the AppHost's).</summary>
    public const string DefaultAuthority = "http://127.0.0.1:5104";

    private readonly List<TalentClients> _clients = [];
    private DevelopmentTokens? _devTokens;
    private TokenCache? _logins;

    public ParseResult ParseResult { get; } = parseResult;

    public CliOutput Out { get; } = new(Console.Out, Console.Error, parseResult.GetValue(GlobalOptions.Json));

    public bool Json => Out.Json;

    public string RegistryAddress => Address(GlobalOptions.Registry, "LCT_REGISTRY", TalentClientOptions.DefaultRegistryAddress);

    public string EntitlementsAddress => Address(GlobalOptions.Entitlements, "LCT_ENTITLEMENTS", TalentClientOptions.DefaultEntitlementsAddress);

    public string VerificationAddress => Address(GlobalOptions.Verification, "LCT_VERIFICATION", TalentClientOptions.DefaultVerificationAddress);

    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? Get<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    /// <summary>
    /// The token to call with: <c>--token</c>, else <c>--as</c>, else <c>LCT_TOKEN</c>, else <c>LCT_AS</c>,
    /// else the token of <c>lct login</c>, else (Development only) the command's default identity
    /// (e.g. <c>hr</c> for HR commands). <c>--as</c>, <c>LCT_AS</c> and default identities mint development
    /// tokens, refused outside Development (<see cref="DevelopmentEnvironment"/>).
    /// </summary>
    public string ResolveToken(string? defaultAs) => ResolveCredential(defaultAs).Token;

    /// <summary>The token to call with (<see cref="ResolveToken"/>) and where it came from, for messages and <c>lct whoami</c>.</summary>
    public Credential ResolveCredential(string? defaultAs)
    {
        if (ExplicitCredential() is { } credential)
        {
            return credential;
        }

        if (LoadLogin() is { } login)
        {
            if (login.IsExpired(Now))
            {
                throw new CliException($"your sign-in as {login.Subject} expired at {CliOutput.Time(login.ExpiresAt)}: run `lct login`"
                    + (DevelopmentEnvironment.IsDevelopment ? " (or `lct logout` to go back to development tokens)" : ""));
            }

            return new Credential(login.AccessToken, "lct login", login);
        }

        if (defaultAs is not null && DevelopmentEnvironment.IsDevelopment)
        {
            return new Credential(MintFor(Identity.Parse(defaultAs), "the default identity"), $"development token ({defaultAs})");
        }

        throw DevelopmentEnvironment.IsDevelopment
            ? new CliException($"say who you are: --as {Identity.Forms}, --token TOKEN, or `lct login`", ExitCodes.Usage)
            : new CliException("not signed in: run `lct login` (or pass --token TOKEN)");
    }

    /// <summary>A token given on this command line or in the environment, or null.</summary>
    public Credential? ExplicitCredential()
    {
        if (ParseResult.GetValue(GlobalOptions.Token) is { Length: > 0 } token)
        {
            return new Credential(token, "--token");
        }

        if (ParseResult.GetValue(GlobalOptions.As) is { Length: > 0 } asText)
        {
            return new Credential(MintFor(Identity.Parse(asText), "--as"), $"development token (--as {asText})");
        }

        if (Environment.GetEnvironmentVariable("LCT_TOKEN") is { Length: > 0 } envToken)
        {
            return new Credential(envToken, "LCT_TOKEN");
        }

        if (Environment.GetEnvironmentVariable("LCT_AS") is { Length: > 0 } envAs)
        {
            return new Credential(MintFor(Identity.Parse(envAs), "LCT_AS"), $"development token (LCT_AS={envAs})");
        }

        return null;
    }

    /// <summary>Now, for token expiry.</summary>
    public DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    /// <summary>Where <c>lct login</c> keeps its token (<see cref="TokenCache"/>).</summary>
    public TokenCache Logins => _logins ??= TokenCache.Default();

    /// <summary>The token of <c>lct login</c>, expired or not; null when not signed in.</summary>
    public CachedToken? LoadLogin() => Logins.Load();

    /// <summary>
    /// The identity provider: <c>--authority</c>, else <c>LCT_AUTHORITY</c>, else (when <paramref name="preferLogin"/>)
    /// the one of the current sign-in, else <see cref="DefaultAuthority"/>.
    /// </summary>
    public Uri Authority(bool preferLogin)
    {
        var text = ParseResult.GetValue(GlobalOptions.Authority) is { Length: > 0 } option ? option
            : Environment.GetEnvironmentVariable("LCT_AUTHORITY") is { Length: > 0 } env ? env
            : preferLogin && LoadLogin() is { } login ? login.Authority
            : DefaultAuthority;
        return ParseAddress(text, "--authority");
    }

    /// <summary>
    /// A token of the identity provider for its own API: <c>--token</c>, else <c>LCT_TOKEN</c>, else the
    /// sign-in of <c>lct login</c> at that same provider. Development tokens are no use there.
    /// </summary>
    public (Uri Authority, string Token) ProviderToken()
    {
        if (ParseResult.GetValue(GlobalOptions.As) is { Length: > 0 })
        {
            throw new CliException("the account API takes only the identity provider's own tokens, not development tokens (--as): run `lct login`", ExitCodes.Usage);
        }

        var explicitToken = ParseResult.GetValue(GlobalOptions.Token) is { Length: > 0 } token ? token
            : Environment.GetEnvironmentVariable("LCT_TOKEN") is { Length: > 0 } envToken ? envToken
            : null;
        var authority = Authority(preferLogin: explicitToken is null);
        if (explicitToken is not null)
        {
            return (authority, explicitToken);
        }

        var login = LoadLogin() ?? throw new CliException($"not signed in: run `lct login` (identity provider {Text(authority)})");
        if (!SameAuthority(login.Authority, authority))
        {
            throw new CliException($"you are signed in at {login.Authority}, not {Text(authority)}: run `lct login --authority {Text(authority)}`");
        }

        if (login.IsExpired(Now))
        {
            throw new CliException($"your sign-in as {login.Subject} expired at {CliOutput.Time(login.ExpiresAt)}: run `lct login`");
        }

        return (authority, login.AccessToken);
    }

    /// <summary>An address as people write it (no trailing slash).</summary>
    public static string Text(Uri address) => address.AbsoluteUri.TrimEnd('/');

    /// <summary>Two spellings of one provider address (a trailing slash, upper-case host).</summary>
    public static bool SameAuthority(string a, Uri b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var uri) && string.Equals(uri.AbsoluteUri.TrimEnd('/'), b.AbsoluteUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a claim of the token the command calls with (not validated: the services do that).</summary>
    public string? ClaimOf(string token, string claim)
    {
        try
        {
            return new JsonWebToken(token).TryGetPayloadValue<string>(claim, out var value) ? value : null;
        }
        catch (ArgumentException)
        {
            return null; // not a JWT: only the services can tell what it means
        }
    }

    /// <summary>Clients calling with the resolved token (<see cref="ResolveToken"/>).</summary>
    public TalentClients Clients(string? defaultAs) => ClientsWithToken(ResolveToken(defaultAs));

    /// <summary>Clients calling as a given identity, minted from the development key (for the demo).</summary>
    public TalentClients ClientsAs(Identity identity, string purpose) => ClientsWithToken(MintFor(identity, purpose));

    public TalentClients ClientsWithToken(string token)
    {
        var clients = new TalentClients(new TalentClientOptions
        {
            RegistryAddress = ParseAddress(RegistryAddress, "--registry"),
            EntitlementsAddress = ParseAddress(EntitlementsAddress, "--entitlements"),
            VerificationAddress = ParseAddress(VerificationAddress, "--verification"),
            BearerToken = token,
        });
        _clients.Add(clients);
        return clients;
    }

    /// <summary>A development token for <paramref name="identity"/>; <paramref name="purpose"/> names what asked for it when refused outside Development.</summary>
    public string MintFor(Identity identity, string purpose) => identity.Mint(DevTokens(purpose));

    /// <summary>The development key's token minter, in the Development environment only.</summary>
    public DevelopmentTokens DevTokens(string purpose)
    {
        DevelopmentEnvironment.Require(purpose);
        if (_devTokens is not null)
        {
            return _devTokens;
        }

        var path = DevKeyFilePath();
        if (!File.Exists(path))
        {
            throw new CliException($"no development key at {path}: start the system first (it writes the key), or pass --token / set LCT_DEV_KEY_FILE");
        }

        try
        {
            return _devTokens = DevelopmentTokens.FromFile(path, createIfMissing: false);
        }
        catch (FormatException)
        {
            throw new CliException($"the development key file {path} is not base64");
        }
    }

    /// <summary>
    /// <c>--dev-key</c>, else <c>LCT_DEV_KEY_FILE</c>, else <c>./data/keys/dev-jwt.key</c> in the current
    /// folder or the nearest parent folder that has one (so lct works from anywhere in the repository).
    /// </summary>
    public string DevKeyFilePath()
    {
        if (ParseResult.GetValue(GlobalOptions.DevKeyFile) is { Length: > 0 } option)
        {
            return Path.GetFullPath(option);
        }

        if (Environment.GetEnvironmentVariable("LCT_DEV_KEY_FILE") is { Length: > 0 } env)
        {
            return Path.GetFullPath(env);
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultDevKeyFile);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(DefaultDevKeyFile);
    }

    /// <summary>A fresh client-chosen request id for a write (kept across the SDK's retries of that call).</summary>
    public static string NewRequestId() => "lct-" + Guid.NewGuid().ToString("N");

    /// <summary>Options for a call: cancellation from Ctrl+C.</summary>
    public static CallOptions Call(CancellationToken cancellationToken) => new(cancellationToken: cancellationToken);

    public void Dispose()
    {
        foreach (var clients in _clients)
        {
            clients.Dispose();
        }
    }

    private string Address(Option<string?> option, string env, string fallback) =>
        ParseResult.GetValue(option) is { Length: > 0 } value ? value
        : Environment.GetEnvironmentVariable(env) is { Length: > 0 } fromEnv ? fromEnv
        : fallback;

    private static Uri ParseAddress(string address, string option) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliException($"{option} {address}: expected an http:// or https:// address", ExitCodes.Usage);
}

/// <summary>A token to call with, where it came from (<c>--token</c>, <c>lct login</c>, a development token …) and, for a sign-in, its cache entry.</summary>
internal sealed record Credential(string Token, string Source, CachedToken? Login = null);
