using System.CommandLine;
using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Client.Auth;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// What one command needs from the command line: addresses, the caller's token, JSON or tables,
/// and the typed clients (created on first use and disposed with the context).
/// </summary>
internal sealed class CliContext(ParseResult parseResult) : IDisposable
{
    public const string DefaultDevKeyFile = "data/keys/dev-jwt.key";

    private readonly List<TalentClients> _clients = [];
    private DevelopmentTokens? _devTokens;

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
    /// else the command's default identity (e.g. <c>hr</c> for HR commands).
    /// </summary>
    public string ResolveToken(string? defaultAs)
    {
        if (ParseResult.GetValue(GlobalOptions.Token) is { Length: > 0 } token)
        {
            return token;
        }

        if (ParseResult.GetValue(GlobalOptions.As) is { Length: > 0 } asText)
        {
            return MintFor(Identity.Parse(asText));
        }

        if (Environment.GetEnvironmentVariable("LCT_TOKEN") is { Length: > 0 } envToken)
        {
            return envToken;
        }

        if (Environment.GetEnvironmentVariable("LCT_AS") is { Length: > 0 } envAs)
        {
            return MintFor(Identity.Parse(envAs));
        }

        if (defaultAs is null)
        {
            throw new CliException($"say who you are: --as {Identity.Forms}, or --token TOKEN", ExitCodes.Usage);
        }

        return MintFor(Identity.Parse(defaultAs));
    }

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
    public TalentClients ClientsAs(Identity identity) => ClientsWithToken(MintFor(identity));

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

    public string MintFor(Identity identity) => identity.Mint(DevTokens());

    public DevelopmentTokens DevTokens()
    {
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
