using System.CommandLine;
using Lingcheng.Talent.Client;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>Options every command accepts (they are recursive: put them anywhere on the line).</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Registry = new("--registry")
    {
        Description = $"Address of the talent registry [env LCT_REGISTRY; default {TalentClientOptions.DefaultRegistryAddress}]",
        Recursive = true,
        HelpName = "URL",
    };

    public static readonly Option<string?> Entitlements = new("--entitlements")
    {
        Description = $"Address of the entitlement service [env LCT_ENTITLEMENTS; default {TalentClientOptions.DefaultEntitlementsAddress}]",
        Recursive = true,
        HelpName = "URL",
    };

    public static readonly Option<string?> Verification = new("--verification")
    {
        Description = $"Address of the verification service [env LCT_VERIFICATION; default {TalentClientOptions.DefaultVerificationAddress}]",
        Recursive = true,
        HelpName = "URL",
    };

    public static readonly Option<string?> Authority = new("--authority")
    {
        Description = $"Address of the identity provider, for lct login and lct admin accounts [env LCT_AUTHORITY; default the one you signed in at, else {CliContext.DefaultAuthority}]",
        Recursive = true,
        HelpName = "URL",
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Bearer token to call with [env LCT_TOKEN]; without one, the token of `lct login`",
        Recursive = true,
    };

    public static readonly Option<string?> As = new("--as")
    {
        Description = "Development only (LCT_ENVIRONMENT=Development): act as hr | auditor | agency:CODE[/TERMINAL] | talent:CARD with a token minted from the development key [env LCT_AS]",
        Recursive = true,
        HelpName = "IDENTITY",
    };

    public static readonly Option<string?> DevKeyFile = new("--dev-key")
    {
        Description = "Development key file for minting tokens [env LCT_DEV_KEY_FILE; default ./data/keys/dev-jwt.key]",
        Recursive = true,
        HelpName = "FILE",
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print JSON instead of tables (for scripts)",
        Recursive = true,
    };

    public static void AddTo(Command root)
    {
        root.Options.Add(Registry);
        root.Options.Add(Entitlements);
        root.Options.Add(Verification);
        root.Options.Add(Authority);
        root.Options.Add(Token);
        root.Options.Add(As);
        root.Options.Add(DevKeyFile);
        root.Options.Add(Json);
    }
}
