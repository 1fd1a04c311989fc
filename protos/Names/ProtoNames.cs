using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using Google.Protobuf.Reflection;

namespace Lingcheng.Talent.V1;

/// <summary>
/// The contract's own names of enum values, read from the generated code (<see cref="OriginalNameAttribute"/>),
/// not from hand-written tables: <c>ProtoNames.Of(CardState.Active)</c> is <c>CARD_STATE_ACTIVE</c> and
/// <c>ProtoNames.Short(CardState.Active)</c> is <c>ACTIVE</c> (the name without the type's prefix, as audit
/// records, lct's output and the web app's resource keys use it). A number the enum does not define is
/// written as the number, as the protobuf JSON format does, unless the caller gives its own word.
/// </summary>
public static class ProtoNames
{
    private static readonly ConcurrentDictionary<Type, Names> Tables = new();

    /// <summary>The full proto name, e.g. <c>VERIFICATION_OUTCOME_REVOKED</c>.</summary>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Of((Enum)value);

    /// <summary>The full proto name of any generated enum value.</summary>
    public static string Of(Enum value)
    {
        var names = TableOf(value.GetType());
        var number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        return names.Full.TryGetValue(number, out var name) ? name : number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The proto name without the type's prefix, e.g. <c>REVOKED</c> for <c>VERIFICATION_OUTCOME_REVOKED</c>.</summary>
    public static string Short<TEnum>(TEnum value)
        where TEnum : struct, Enum => Short((Enum)value);

    /// <summary>The short name, or <paramref name="undefined"/> for a number the enum does not define.</summary>
    public static string Short<TEnum>(TEnum value, string undefined)
        where TEnum : struct, Enum => Enum.IsDefined(value) ? Short((Enum)value) : undefined;

    /// <summary>The short name of any generated enum value.</summary>
    public static string Short(Enum value)
    {
        var names = TableOf(value.GetType());
        var full = Of(value);
        return full.StartsWith(names.Prefix, StringComparison.Ordinal) ? full[names.Prefix.Length..] : full;
    }

    /// <summary>The value whose short (or full) proto name is <paramref name="name"/>.</summary>
    public static bool TryParse<TEnum>(string name, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (Short(candidate) == name || Of(candidate) == name)
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static Names TableOf(Type type) => Tables.GetOrAdd(type, static t =>
    {
        var full = new Dictionary<long, string>();
        foreach (var field in t.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var number = Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture);
            var name = field.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? field.Name;
            full.TryAdd(number, name); // an alias keeps the first name
        }

        // The prefix the style guide asks for: the zero value is TYPE_NAME_UNSPECIFIED.
        var prefix = full.TryGetValue(0, out var zero) && zero.EndsWith("_UNSPECIFIED", StringComparison.Ordinal)
            ? zero[..^"UNSPECIFIED".Length]
            : UpperSnake(t.Name) + "_";
        return new Names(full, prefix);
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

    private sealed record Names(Dictionary<long, string> Full, string Prefix);
}
