using System.CommandLine;
using Lingcheng.Talent.Cli.Commands;
using Lingcheng.Talent.Cli.Infrastructure;

namespace Lingcheng.Talent.Cli;

/// <summary>The <c>lct</c> command tree, grouped by who uses it (SPEC §2).</summary>
public static class LctCommand
{
    /// <summary>Builds the command tree.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand(CommandExtensions.Describe(
            "lct — the Lingcheng talent green card (陵城区人才绿卡) command line, for HR officers, agency staff, card holders and auditors.",
            "lct demo                                   # the whole story against the running system",
            "lct login                                  # sign in (device code, approved in a browser)",
            "lct hr talent list",
            "lct hr card issue TALENT_ID",
            "lct agency verify --as agency:HOSP_PEOPLE --image card.png",
            "lct me benefits --as talent:LC260000016",
            "LCT_ENVIRONMENT=Development lct token mint --role hr"));
        GlobalOptions.AddTo(root);
        CommandExtensions.AddExamplesToHelp(root);
        root.With(
            LoginCommands.CreateLogin(),
            LoginCommands.CreateLogout(),
            LoginCommands.CreateWhoami(),
            HrCommands.Create(),
            AgencyCommands.Create(),
            MeCommands.Create(),
            AdminCommands.Create(),
            AdminCommands.CreateReport(),
            AdminCommands.CreateAudit(),
            TokenCommands.Create(),
            DemoCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; a command-line mistake is one line on stderr and exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = Create();
        var parseResult = root.Parse(args);
        var helpRequested = args.Any(a => a is "-h" or "--help" or "-?" or "/?" or "/h");
        if (parseResult.Errors.Count > 0 && !helpRequested)
        {
            // A group such as `lct hr` run alone: show what it offers.
            if (parseResult.CommandResult.Command is { Action: null, Subcommands.Count: > 0 }
                && parseResult.UnmatchedTokens.Count == 0)
            {
                await root.Parse([.. args, "--help"]).InvokeAsync();
                return ExitCodes.Usage;
            }

            var path = CommandPath(parseResult.CommandResult.Command, root);
            var message = parseResult.UnmatchedTokens.Count > 0
                ? $"unknown command or argument '{parseResult.UnmatchedTokens[0]}'"
                : parseResult.Errors[0].Message;
            return CommandExtensions.Fail($"{message} (see `{path} --help`)", ExitCodes.Usage);
        }

        return await parseResult.InvokeAsync();
    }

    private static string CommandPath(Command command, RootCommand root)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c && c != root; symbol = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', ["lct", .. names]);
    }
}
