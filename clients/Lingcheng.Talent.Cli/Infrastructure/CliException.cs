namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>Exit codes of <c>lct</c> (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>An error: bad input, a refused or failed call, a missing file.</summary>
    public const int Error = 1;

    /// <summary>The command line itself is wrong (unknown command or option, missing argument).</summary>
    public const int Usage = 2;

    /// <summary>The call worked but the card did not verify, or the redemption was refused.</summary>
    public const int NotValid = 3;
}

/// <summary>An error to report to the user as one line (no stack trace).</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Error) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
