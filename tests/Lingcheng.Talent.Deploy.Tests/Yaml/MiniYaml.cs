using System.Text;

namespace Lingcheng.Talent.Deploy.Tests.Yaml;

/// <summary>
/// A strict reader for the YAML subset the deployment files use: block mappings and sequences (indented or
/// compact), flow sequences and mappings on one line, plain / single / double-quoted scalars, comments,
/// <c>---</c> documents, anchors, aliases and <c>&lt;&lt;</c> merge keys. No YAML library is on the machine's
/// package list (see the project's report), so this stands in for one; anything outside the subset
/// (block scalars, multi-line flow, tags, duplicate keys, tabs) is an error rather than a guess, and
/// <c>docker-compose config</c> / <c>kubectl kustomize</c> cross-check the real parsers where installed.
/// Scalars stay strings; mappings are <see cref="YamlMap"/>, sequences <see cref="List{T}"/> of object?.
/// </summary>
public static class MiniYaml
{
    public static object? Parse(string text) => ParseAll(text) switch
    {
        [var single] => single,
        var docs => throw new YamlException($"expected one document, found {docs.Count}"),
    };

    public static List<object?> ParseAll(string text)
    {
        var documents = new List<object?>();
        var current = new List<Line>();
        var number = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            if (raw.TrimEnd() == "---")
            {
                documents.Add(current);
                current = [];
                continue;
            }

            if (raw.Contains('\t') && raw.TrimStart(' ').StartsWith('\t'))
            {
                throw new YamlException($"line {number}: tab in indentation");
            }

            var content = StripComment(raw, number).TrimEnd();
            if (content.Trim().Length == 0)
            {
                continue;
            }

            var indent = content.Length - content.TrimStart(' ').Length;
            current.Add(new Line(number, indent, content[indent..]));
        }

        documents.Add(current);
        return documents.Cast<List<Line>>().Where(d => d.Count > 0).Select(d => new Parser(d).ParseDocument()).ToList();
    }

    private sealed record Line(int Number, int Indent, string Text);

    private static string StripComment(string line, int number)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is null)
            {
                var tokenStart = i == 0 || line[i - 1] is ' ' or '[' or '{' or ',' or ':' or '-';
                if (c is '"' or '\'' && tokenStart)
                {
                    quote = c;
                }
                else if (c == '#' && (i == 0 || line[i - 1] == ' '))
                {
                    return line[..i];
                }
            }
            else if (c == '\\' && quote == '"')
            {
                i++;
            }
            else if (c == quote)
            {
                if (quote == '\'' && i + 1 < line.Length && line[i + 1] == '\'')
                {
                    i++;
                }
                else
                {
                    quote = null;
                }
            }
        }

        return quote is null ? line : throw new YamlException($"line {number}: unterminated quoted scalar (multi-line scalars are not supported)");
    }

    private sealed class Parser(List<Line> lines)
    {
        private readonly Dictionary<string, object?> _anchors = new(StringComparer.Ordinal);
        private int _pos;

        public object? ParseDocument()
        {
            var node = ParseNode(lines[0].Indent);
            return _pos < lines.Count ? throw Error(lines[_pos], "unexpected content (bad indentation?)") : node;
        }

        private object? ParseNode(int indent)
        {
            var line = lines[_pos];
            if (line.Indent != indent)
            {
                throw Error(line, $"expected indentation {indent}, found {line.Indent}");
            }

            if (IsSequenceItem(line.Text))
            {
                return ParseSequence(indent);
            }

            if (SplitKey(line.Text, line) is not null)
            {
                return ParseMapping(indent);
            }

            _pos++;
            return ParseInlineValue(line.Text, line);
        }

        private static bool IsSequenceItem(string text) => text == "-" || text.StartsWith("- ", StringComparison.Ordinal);

        private List<object?> ParseSequence(int indent)
        {
            var items = new List<object?>();
            while (_pos < lines.Count && lines[_pos].Indent == indent && IsSequenceItem(lines[_pos].Text))
            {
                var line = lines[_pos];
                var content = line.Text.Length > 1 ? line.Text[2..].TrimStart(' ') : "";
                if (content.Length == 0)
                {
                    _pos++;
                    items.Add(_pos < lines.Count && lines[_pos].Indent > indent ? ParseNode(lines[_pos].Indent) : null);
                    continue;
                }

                var contentIndent = indent + (line.Text.Length - content.Length);
                if (IsSequenceItem(content) || SplitKey(content, line) is not null)
                {
                    // "- key: value" starts a mapping (or "- - x" a sequence) at the content's column.
                    lines[_pos] = line with { Indent = contentIndent, Text = content };
                    items.Add(ParseNode(contentIndent));
                    continue;
                }

                _pos++;
                items.Add(ParseInlineValue(content, line));
            }

            return items;
        }

        private YamlMap ParseMapping(int indent)
        {
            var map = new YamlMap();
            var merges = new List<YamlMap>();
            while (_pos < lines.Count && lines[_pos].Indent == indent && !IsSequenceItem(lines[_pos].Text))
            {
                var line = lines[_pos];
                var (key, rest) = SplitKey(line.Text, line) ?? throw Error(line, "expected 'key: value'");
                _pos++;
                string? anchor = null;
                if (rest.StartsWith('&'))
                {
                    var end = rest.IndexOf(' ');
                    anchor = end < 0 ? rest[1..] : rest[1..end];
                    rest = end < 0 ? "" : rest[(end + 1)..].TrimStart();
                }

                object? value;
                if (rest.Length == 0)
                {
                    if (_pos < lines.Count && lines[_pos].Indent > indent)
                    {
                        value = ParseNode(lines[_pos].Indent);
                    }
                    else if (_pos < lines.Count && lines[_pos].Indent == indent && IsSequenceItem(lines[_pos].Text))
                    {
                        value = ParseSequence(indent); // compact style: the items at the key's own column
                    }
                    else
                    {
                        value = null;
                    }
                }
                else
                {
                    value = ParseInlineValue(rest, line);
                }

                if (anchor is not null)
                {
                    _anchors[anchor] = value;
                }

                if (key == "<<")
                {
                    merges.AddRange(value switch
                    {
                        YamlMap m => [m],
                        List<object?> list when list.All(i => i is YamlMap) => list.Cast<YamlMap>(),
                        _ => throw Error(line, "a merge key needs a mapping alias"),
                    });
                    continue;
                }

                if (!map.TryAdd(key, value))
                {
                    throw Error(line, $"duplicate key '{key}'");
                }
            }

            // YAML merge: explicitly written keys win over merged ones, earlier merges over later ones.
            foreach (var merged in merges)
            {
                foreach (var (k, v) in merged)
                {
                    map.TryAdd(k, v);
                }
            }

            return map;
        }

        private object? ParseInlineValue(string text, Line line)
        {
            if (text.StartsWith('*'))
            {
                var name = text[1..].Trim();
                return _anchors.TryGetValue(name, out var target) ? target : throw Error(line, $"unknown alias '*{name}'");
            }

            if (text.StartsWith('!'))
            {
                throw Error(line, "tags are not supported");
            }

            if (text is "|" or ">" || text.StartsWith("|-") || text.StartsWith(">-") || text.StartsWith("|+") || text.StartsWith(">+"))
            {
                throw Error(line, "block scalars are not supported; write the value on one line");
            }

            var reader = new FlowReader(text, line.Number);
            var value = reader.ReadValue(flow: false);
            reader.ExpectEnd();
            return value;
        }

        /// <summary>"key: rest" → (key, rest); null when the text is not a mapping entry.</summary>
        private static (string Key, string Remainder)? SplitKey(string text, Line line)
        {
            if (text.StartsWith('"') || text.StartsWith('\''))
            {
                var reader = new FlowReader(text, line.Number);
                var key = (string)reader.ReadValue(flow: false, keyOnly: true)!;
                var after = text[reader.Position..];
                return after.StartsWith(':') && (after.Length == 1 || after[1] == ' ') ? (key, after[1..].Trim()) : null;
            }

            if (text.StartsWith('[') || text.StartsWith('{') || text.StartsWith('*') || text.StartsWith('&'))
            {
                return null;
            }

            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == ':' && (i + 1 == text.Length || text[i + 1] == ' '))
                {
                    return (text[..i].TrimEnd(), text[(i + 1)..].Trim());
                }
            }

            return null;
        }

        private static YamlException Error(Line line, string message) => new($"line {line.Number}: {message}");
    }

    /// <summary>Reads one scalar, flow sequence or flow mapping from a single line.</summary>
    private sealed class FlowReader(string text, int lineNumber)
    {
        public int Position { get; private set; }

        public object? ReadValue(bool flow, bool keyOnly = false)
        {
            SkipSpaces();
            if (Position >= text.Length)
            {
                return null;
            }

            var c = text[Position];
            if (c == '"')
            {
                return ReadDoubleQuoted();
            }

            if (c == '\'')
            {
                return ReadSingleQuoted();
            }

            if (keyOnly)
            {
                throw Error("expected a quoted key");
            }

            if (c == '[')
            {
                Position++;
                var list = new List<object?>();
                SkipSpaces();
                if (Peek() == ']')
                {
                    Position++;
                    return list;
                }

                while (true)
                {
                    list.Add(ReadValue(flow: true));
                    SkipSpaces();
                    var next = Next();
                    if (next == ']')
                    {
                        return list;
                    }

                    if (next != ',')
                    {
                        throw Error("expected ',' or ']' in a flow sequence");
                    }
                }
            }

            if (c == '{')
            {
                Position++;
                var map = new YamlMap();
                SkipSpaces();
                if (Peek() == '}')
                {
                    Position++;
                    return map;
                }

                while (true)
                {
                    var key = ReadValue(flow: true) as string ?? throw Error("a flow mapping key must be a scalar");
                    SkipSpaces();
                    if (Next() != ':')
                    {
                        throw Error("expected ':' in a flow mapping");
                    }

                    if (!map.TryAdd(key, ReadValue(flow: true)))
                    {
                        throw Error($"duplicate key '{key}'");
                    }

                    SkipSpaces();
                    var next = Next();
                    if (next == '}')
                    {
                        return map;
                    }

                    if (next != ',')
                    {
                        throw Error("expected ',' or '}' in a flow mapping");
                    }
                }
            }

            // Plain scalar: to the end of the line, or in flow context to the next , ] } or ": ".
            var start = Position;
            while (Position < text.Length)
            {
                var ch = text[Position];
                if (flow && (ch is ',' or ']' or '}' || (ch == ':' && (Position + 1 == text.Length || text[Position + 1] is ' ' or ',' or '}'))))
                {
                    break;
                }

                Position++;
            }

            var plain = text[start..Position].Trim();
            return plain is "" or "~" or "null" or "Null" or "NULL" ? null : plain;
        }

        public void ExpectEnd()
        {
            SkipSpaces();
            if (Position < text.Length)
            {
                throw Error($"unexpected '{text[Position..]}' after the value");
            }
        }

        private string ReadDoubleQuoted()
        {
            var sb = new StringBuilder();
            Position++;
            while (Position < text.Length)
            {
                var c = text[Position++];
                if (c == '"')
                {
                    return sb.ToString();
                }

                if (c == '\\')
                {
                    var e = Next();
                    sb.Append(e switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        '"' => '"',
                        '\\' => '\\',
                        '/' => '/',
                        '0' => '\0',
                        _ => throw Error($"unsupported escape '\\{e}'"),
                    });
                }
                else
                {
                    sb.Append(c);
                }
            }

            throw Error("unterminated double-quoted scalar");
        }

        private string ReadSingleQuoted()
        {
            var sb = new StringBuilder();
            Position++;
            while (Position < text.Length)
            {
                var c = text[Position++];
                if (c == '\'')
                {
                    if (Peek() == '\'')
                    {
                        sb.Append('\'');
                        Position++;
                        continue;
                    }

                    return sb.ToString();
                }

                sb.Append(c);
            }

            throw Error("unterminated single-quoted scalar");
        }

        private void SkipSpaces()
        {
            while (Position < text.Length && text[Position] == ' ')
            {
                Position++;
            }
        }

        private char? Peek() => Position < text.Length ? text[Position] : null;

        private char Next() => Position < text.Length ? text[Position++] : throw Error("unexpected end of line");

        private YamlException Error(string message) => new($"line {lineNumber}: {message}");
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

/// <summary>The file is outside the YAML subset <see cref="MiniYaml"/> reads, or is not YAML.</summary>
public sealed class YamlException(string message) : Exception(message);
