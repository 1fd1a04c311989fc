using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Client.Offline;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>Wires a command's work with the error handling every command shares.</summary>
internal static class CommandExtensions
{
    /// <summary>
    /// Sets the command's action. Whatever goes wrong becomes one line on stderr (<c>lct: …</c>)
    /// and a non-zero exit code; no stack trace reaches the user.
    /// </summary>
    public static Command Runs(this Command command, Func<CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var context = new CliContext(parseResult);
            try
            {
                return await action(context, cancellationToken);
            }
            catch (CliException ex)
            {
                return Fail(ex.Message, ex.ExitCode);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                return Fail("cancelled", 130);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return Fail($"{ex.Describe()} — addresses: registry {context.RegistryAddress}, entitlements {context.EntitlementsAddress}, verification {context.VerificationAddress}");
            }
            catch (RpcException ex)
            {
                return Fail(ex.Describe());
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Fail("cancelled", 130);
            }
            catch (HttpRequestException ex)
            {
                return Fail($"HTTP request failed: {ex.Message}");
            }
            catch (OfflineCacheException ex)
            {
                return Fail(ex.Message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail(ex.Message);
            }
            catch (Exception ex)
            {
                return Fail($"unexpected error ({ex.GetType().Name}): {ex.Message}");
            }
        });
        return command;
    }

    /// <summary>Writes the one-line reason to stderr and returns the exit code.</summary>
    public static int Fail(string message, int exitCode = ExitCodes.Error)
    {
        var line = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Console.Error.WriteLine("lct: " + line);
        return exitCode;
    }

    /// <summary>Adds subcommands.</summary>
    public static Command With(this Command command, params Symbol[] children)
    {
        foreach (var child in children)
        {
            switch (child)
            {
                case Command sub:
                    command.Subcommands.Add(sub);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
            }
        }

        return command;
    }

    private static readonly Dictionary<string, string[]> ExamplesByDescription = new(StringComparer.Ordinal);

    /// <summary>
    /// A command's description; the examples are kept aside and shown in the command's own
    /// --help under "Examples:" (not in its parent's list of subcommands).
    /// </summary>
    public static string Describe(string summary, params string[] examples)
    {
        lock (ExamplesByDescription)
        {
            ExamplesByDescription[summary] = examples;
        }

        return summary;
    }

    /// <summary>The examples registered with a command's description.</summary>
    public static IReadOnlyList<string> ExamplesOf(Command command)
    {
        lock (ExamplesByDescription)
        {
            return command.Description is { } d && ExamplesByDescription.TryGetValue(d, out var examples) ? examples : [];
        }
    }

    /// <summary>Makes --help end with the command's examples.</summary>
    public static void AddExamplesToHelp(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option.Action is HelpAction help)
            {
                option.Action = new HelpWithExamples(help);
            }
        }
    }

    private sealed class HelpWithExamples(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = help.Invoke(parseResult);
            var examples = ExamplesOf(parseResult.CommandResult.Command);
            if (examples.Count > 0)
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine("  " + example);
                }

                output.WriteLine();
            }

            return result;
        }
    }
}
