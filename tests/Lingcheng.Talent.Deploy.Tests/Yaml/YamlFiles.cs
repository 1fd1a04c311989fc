using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lingcheng.Talent.Deploy.Tests.Yaml;

/// <summary>
/// Reads the deployment files with YamlDotNet (the maintained YAML parser Aspire already brings in), with
/// anchors, aliases and <c>&lt;&lt;</c> merge keys resolved, into plain objects the tests walk: mappings
/// are <see cref="YamlMap"/>, sequences <see cref="List{T}"/> of object?, scalars stay strings (a plain
/// <c>null</c>, <c>~</c> or empty value is null). A file that is not valid YAML, or has a duplicate key,
/// is an error; <c>docker-compose config</c> / <c>kubectl kustomize</c> cross-check the real tools where installed.
/// </summary>
public static class YamlFiles
{
    /// <summary>The one document of a file.</summary>
    public static object? Parse(string text) => ParseAll(text) switch
    {
        [var single] => single,
        var docs => throw new YamlException($"expected one document, found {docs.Count}"),
    };

    /// <summary>Every non-empty document of a file (<c>---</c> separated).</summary>
    public static List<object?> ParseAll(string text)
    {
        var stream = new YamlStream();
        // Merge keys are resolved below: YamlDotNet's MergingParser copies the merged entries in as
        // they are, so a key that overrides one of them ends up a duplicate.
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Where(d => !IsEmpty(d.RootNode)).Select(d => Convert(d.RootNode))];
    }

    private static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" };

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" } => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new YamlException(node.Start, node.End, $"unsupported node {node.NodeType}"),
    };

    /// <summary>A mapping; <c>&lt;&lt;</c> merges the entries of a mapping (or of each in a sequence) that the mapping does not have itself.</summary>
    private static YamlMap ConvertMap(YamlMappingNode node)
    {
        var map = new YamlMap();
        var merged = new List<YamlMap>();
        foreach (var (key, value) in node.Children)
        {
            var name = key is YamlScalarNode { Value: { } k } ? k : throw new YamlException(key.Start, key.End, "a mapping key is not a scalar");
            if (name == "<<" && key is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any })
            {
                merged.AddRange(value switch
                {
                    YamlMappingNode m => [ConvertMap(m)],
                    YamlSequenceNode list => list.Children.Select(c => c is YamlMappingNode m ? ConvertMap(m) : throw new YamlException(c.Start, c.End, "<< takes mappings")),
                    _ => throw new YamlException(value.Start, value.End, "<< takes a mapping or a sequence of mappings"),
                });
                continue;
            }

            if (!map.TryAdd(name, Convert(value)))
            {
                throw new YamlException(key.Start, key.End, $"duplicate key '{name}'");
            }
        }

        foreach (var source in merged)
        {
            foreach (var (name, value) in source)
            {
                map.TryAdd(name, value);
            }
        }

        return map;
    }
}

/// <summary>A YAML mapping, keys in document order.</summary>
public sealed class YamlMap : OrderedDictionary<string, object?>
{
    public YamlMap() : base(StringComparer.Ordinal)
    {
    }

    /// <summary>The value at a path of keys, or null when any step is missing.</summary>
    public object? At(params string[] path)
    {
        object? node = this;
        foreach (var key in path)
        {
            node = node is YamlMap m && m.TryGetValue(key, out var v) ? v : null;
        }

        return node;
    }

    public YamlMap Map(params string[] path) => At(path) as YamlMap ?? throw new KeyNotFoundException($"no mapping at {string.Join('.', path)}");

    public YamlMap? MapOrNull(params string[] path) => At(path) as YamlMap;

    public List<object?> List(params string[] path) => At(path) as List<object?> ?? [];

    public string? Str(params string[] path) => At(path) as string;
}
