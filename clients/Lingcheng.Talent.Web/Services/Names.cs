using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Google.Protobuf.Reflection;

namespace Lingcheng.Talent.Web.Services;

/// <summary>
/// The contract's name of an enum value without its prefix, e.g. <c>VerificationOutcome.Revoked</c> →
/// <c>REVOKED</c>: the key of its texts in the resource files. Read from the generated code, not a table.
/// </summary>
public static class Names
{
    private static readonly ConcurrentDictionary<Enum, string> Cache = new();

    public static string Of(Enum value) => Cache.GetOrAdd(value, static v =>
    {
        var type = v.GetType();
        var original = type.GetField(v.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? v.ToString();
        var prefix = UpperSnake(type.Name) + "_";
        return original.StartsWith(prefix, StringComparison.Ordinal) ? original[prefix.Length..] : original;
    });

    private static string UpperSnake(string pascal)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(pascal[i]));
        }

        return builder.ToString();
    }
}
