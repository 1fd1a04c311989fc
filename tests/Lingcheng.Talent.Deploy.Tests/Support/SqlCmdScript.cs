using System.Text.RegularExpressions;
using Microsoft.Data.SqlClient;

namespace Lingcheng.Talent.Deploy.Tests.Support;

/// <summary>
/// A sqlcmd script (deploy/sql/accounts.sql) run the way sqlcmd runs it, without sqlcmd: <c>$(Name)</c> scripting
/// variables substituted, batches split at <c>GO</c> lines, one connection for the whole script (its temporary
/// procedures live as long as the session), stop at the first error (<c>:on error exit</c>, <c>-b</c>). Only the
/// sqlcmd features the deployment's scripts use are accepted; any other command is refused, so the script cannot
/// come to depend on one this runner would silently ignore.
/// </summary>
public static partial class SqlCmdScript
{
    /// <summary>The <c>$(Name)</c> variables the script uses.</summary>
    public static IReadOnlySet<string> Variables(string script) =>
        Variable().Matches(script).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The batches of the script after substitution; throws on an undefined variable or an unknown command.</summary>
    public static List<string> Batches(string script, IReadOnlyDictionary<string, string> variables)
    {
        var batches = new List<string>();
        var current = new List<string>();
        foreach (var line in script.ReplaceLineEndings("\n").Split('\n'))
        {
            var trimmed = line.Trim();
            if (Go().IsMatch(trimmed))
            {
                batches.Add(string.Join('\n', current));
                current.Clear();
                continue;
            }

            if (trimmed.StartsWith(':'))
            {
                if (!trimmed.Equals(":on error exit", StringComparison.OrdinalIgnoreCase))
                {
                    throw new NotSupportedException($"sqlcmd command not supported by this runner: {trimmed}");
                }

                continue;
            }

            current.Add(Variable().Replace(line, m => variables.TryGetValue(m.Groups[1].Value, out var value)
                ? value
                : throw new KeyNotFoundException($"'{m.Groups[1].Value}' scripting variable not defined.")));
        }

        batches.Add(string.Join('\n', current));
        return batches.Where(b => b.Trim().Length > 0).ToList();
    }

    /// <summary>Runs the script on one connection, QUOTED_IDENTIFIER on (sqlcmd -I); returns the messages it printed.</summary>
    public static async Task<List<string>> RunAsync(string connectionString, string script, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var messages = new List<string>();
        await using var connection = new SqlConnection(connectionString);
        connection.InfoMessage += (_, e) => messages.Add(e.Message);
        await connection.OpenAsync(cancellationToken);
        foreach (var batch in Batches(script, variables))
        {
            await using var command = new SqlCommand(batch, connection) { CommandTimeout = 120 };
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return messages;
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^GO$", RegexOptions.IgnoreCase)]
    private static partial Regex Go();
}
