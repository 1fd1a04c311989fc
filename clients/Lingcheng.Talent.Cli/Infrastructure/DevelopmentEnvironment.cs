namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// Development tokens (<c>--as</c>, <c>LCT_AS</c>, a group's default identity, <c>lct token mint</c>,
/// <c>lct demo</c>) are for a developer's machine only: they work when <c>LCT_ENVIRONMENT</c> (else
/// <c>DOTNET_ENVIRONMENT</c>) is <c>Development</c>. Everywhere else people sign in with <c>lct login</c>.
/// </summary>
internal static class DevelopmentEnvironment
{
    public const string Variable = "LCT_ENVIRONMENT";

    /// <summary>The environment's name, or null when neither variable is set.</summary>
    public static string? Name =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } lct ? lct
        : Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
        : null;

    public static bool IsDevelopment => string.Equals(Name, "Development", StringComparison.OrdinalIgnoreCase);

    /// <summary>Refuses <paramref name="what"/> outside Development with one line saying why and what to do instead.</summary>
    /// <exception cref="CliException">Not the Development environment.</exception>
    public static void Require(string what)
    {
        if (IsDevelopment)
        {
            return;
        }

        var now = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } lct ? $"{Variable} is {lct}"
            : Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? $"DOTNET_ENVIRONMENT is {dotnet}"
            : $"{Variable} is not set";
        throw new CliException(
            $"{what} uses development tokens, which work only with {Variable}=Development ({now}). " +
            $"Sign in with `lct login` (or pass --token TOKEN); on a development machine, export {Variable}=Development.",
            ExitCodes.Usage);
    }
}
