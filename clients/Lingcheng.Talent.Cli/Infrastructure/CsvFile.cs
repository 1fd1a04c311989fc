using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// A problem with the file itself (its bytes or its quoting), by line. A file with one is not read at
/// all: its rows cannot be trusted, so nothing of it is imported, not even with <c>--skip-invalid</c>.
/// </summary>
public sealed class CsvFileException(IReadOnlyList<(int Line, string Problem)> problems)
    : Exception(problems.Count == 0 ? "the file cannot be read" : $"line {problems[0].Line}: {problems[0].Problem}")
{
    /// <summary>Every problem found, by line (at most <see cref="CsvFile.MaxProblems"/>).</summary>
    public IReadOnlyList<(int Line, string Problem)> Problems { get; } = problems;
}

/// <summary>One record of a CSV file: the line it starts on (the first line is 1), its raw text and its cells.</summary>
public sealed record CsvRecord(int Line, string Raw, IReadOnlyList<string> Cells);

/// <summary>
/// Reads a CSV file without ever guessing at a character: the bytes are decoded strictly (UTF-8 with or
/// without a byte order mark, or GB18030 when chosen; a byte the encoding does not allow is an error
/// naming its line, never a U+FFFD), then parsed with CsvHelper (RFC 4180) where a stray or unclosed
/// quote is an error naming its line instead of swallowing the rest of the file.
/// </summary>
public static class CsvFile
{
    /// <summary>Problems reported at most (the rest of a badly broken file adds nothing).</summary>
    public const int MaxProblems = 20;

    /// <summary>Largest file read (bytes): an import is thousands of rows, not gigabytes.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>The encodings that can be chosen, by the name given to <c>--encoding</c>.</summary>
    public static readonly string[] EncodingNames = ["utf-8", "gb18030"];

    private const int Gb18030CodePage = 54936;

    /// <summary>UTF-8 that throws on a byte sequence it does not allow.</summary>
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// GB18030 (a superset of GBK and GB2312: what Excel and WPS save as "CSV" on Chinese Windows), from the
    /// code-page provider that ships in .NET but is not registered by default; throws on a byte it does not allow.
    /// </summary>
    private static Encoding StrictGb18030 =>
        CodePagesEncodingProvider.Instance.GetEncoding(Gb18030CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)
        ?? throw new InvalidOperationException("GB18030 is not available on this system");

    /// <summary>
    /// The canonical name of an encoding given to <c>--encoding</c> (null or empty: detect). GBK, GB2312,
    /// CP936 are read as GB18030, which contains them. Throws a usage error for anything else.
    /// </summary>
    public static string? ParseEncodingName(string? name)
    {
        switch (name?.Trim().ToLowerInvariant().Replace("_", "-", StringComparison.Ordinal))
        {
            case null or "" or "auto":
                return null;
            case "utf-8" or "utf8":
                return "utf-8";
            case "gb18030" or "gbk" or "gb2312" or "cp936" or "936" or "54936":
                return "gb18030";
            default:
                throw new CliException($"--encoding {name}: expected utf-8 or gb18030 (GBK and GB2312 files are read as gb18030, which contains them)", ExitCodes.Usage);
        }
    }

    /// <summary>
    /// Decodes the file's bytes strictly. With <paramref name="encoding"/> null the file must be UTF-8 (a
    /// byte order mark is allowed); a file that is not is refused, saying whether it reads as GB18030 —
    /// it is never decoded as GB18030 unasked, since a file in another code page (Windows-1252, say)
    /// often decodes as GB18030 too, into the wrong characters. Returns the text and the encoding used.
    /// </summary>
    public static (string Text, string Encoding) Decode(ReadOnlySpan<byte> bytes, string? encoding)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            throw new CsvFileException([(1, "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" (or CSV) instead")]);
        }

        var bom = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);
        if (bom)
        {
            if (encoding == "gb18030")
            {
                throw new CsvFileException([(1, "the file starts with a UTF-8 byte order mark, yet --encoding gb18030 was given; leave --encoding out to read it as UTF-8")]);
            }

            bytes = bytes[3..];
        }

        var chosen = encoding ?? "utf-8";
        var (text, problems) = DecodeLines(bytes, chosen == "gb18030" ? StrictGb18030 : StrictUtf8, chosen == "gb18030" ? "GB18030" : "UTF-8");
        if (problems.Count > 0)
        {
            if (encoding is null)
            {
                var readsAsGb18030 = DecodeLines(bytes, StrictGb18030, "GB18030").Problems.Count == 0;
                var (line, problem) = problems[0];
                problems[0] = (line, problem + (readsAsGb18030
                    ? "; the file is not UTF-8 but reads as GB18030 (what Excel and WPS save as CSV on Chinese Windows): run again with --encoding gb18030"
                    : "; the file is not UTF-8: save it as \"CSV UTF-8\", or give its encoding with --encoding gb18030"));
            }

            throw new CsvFileException(problems);
        }

        return (text, bom ? "utf-8 (with byte order mark)" : chosen);
    }

    /// <summary>
    /// Decodes line by line (0x0A is a line feed in both encodings and never part of a character), so a
    /// bad byte is reported with its line; also refuses NUL bytes (UTF-16 without a byte order mark, or not text).
    /// </summary>
    private static (string Text, List<(int Line, string Problem)> Problems) DecodeLines(ReadOnlySpan<byte> bytes, Encoding encoding, string name)
    {
        var text = new StringBuilder(bytes.Length);
        var problems = new List<(int, string)>();
        var line = 1;
        while (true)
        {
            var end = bytes.IndexOf((byte)'\n');
            var content = end < 0 ? bytes : bytes[..end];
            if (content.Contains((byte)0))
            {
                problems.Add((line, "has a NUL byte: this is not a text file (UTF-16 without a byte order mark?)"));
            }
            else
            {
                try
                {
                    text.Append(encoding.GetString(content));
                }
                catch (DecoderFallbackException ex)
                {
                    var bad = ex.BytesUnknown is { Length: > 0 } unknown ? Convert.ToHexString(unknown) : "?";
                    var at = ex.Index >= 0 && ex.Index < content.Length ? $" at byte {ex.Index + 1} of the line" : "";
                    problems.Add((line, $"byte(s) 0x{bad}{at} are not valid {name}"));
                }
            }

            if (problems.Count >= MaxProblems || end < 0)
            {
                break;
            }

            text.Append('\n');
            bytes = bytes[(end + 1)..];
            line++;
        }

        return (text.ToString(), problems);
    }

    /// <summary>
    /// Reads the file: strict decoding (see <see cref="Decode"/>), then RFC 4180 records (quotes, doubled
    /// quotes, CRLF or LF) with the line each starts on; blank lines are skipped. With
    /// <paramref name="cellsMayBreakLines"/> false a quoted cell spanning lines is an error — it is almost
    /// always a stray quote that would otherwise run into the next rows. Throws <see cref="CsvFileException"/>.
    /// </summary>
    public static (List<CsvRecord> Records, string Encoding) Read(string path, string? encoding, bool cellsMayBreakLines = false)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxBytes)
        {
            throw new CliException($"{info.Name}: {info.Length / (1024 * 1024)} MiB is more than the {MaxBytes / (1024 * 1024)} MiB read at most; split the file");
        }

        var (text, used) = Decode(File.ReadAllBytes(path), encoding);
        return (Parse(text, cellsMayBreakLines), used);
    }

    /// <summary>Parses decoded text; see <see cref="Read"/>.</summary>
    public static List<CsvRecord> Parse(string text, bool cellsMayBreakLines = false)
    {
        var problems = new List<(int Line, string Problem)>();
        var records = new List<CsvRecord>();
        var start = 1; // the line the record being read starts on
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Mode = CsvMode.RFC4180,
            Delimiter = ",",
            DetectDelimiter = false,
            IgnoreBlankLines = false, // blank lines are records here, so each record's first line is known
            BadDataFound = args => problems.Add((start, QuoteProblem(args.Field, start, args.Context.Parser?.RawRow ?? start))),
        };
        using var parser = new CsvParser(new StringReader(text), configuration);
        while (parser.Read())
        {
            var cells = parser.Record ?? [];
            var raw = parser.RawRecord.TrimEnd('\r', '\n');
            var end = parser.RawRow;
            if (!cellsMayBreakLines && problems.All(p => p.Line != start) && cells.Any(c => c.Contains('\n') || c.Contains('\r')))
            {
                problems.Add((start, $"a quoted cell runs on past the end of the line (to line {Math.Max(end, start + 1)}): a quote is stray or not closed; no column may hold a line break"));
            }

            if (cells.Length > 1 || (cells.Length == 1 && cells[0].Trim().Length > 0))
            {
                records.Add(new CsvRecord(start, raw, cells));
            }

            start = end + 1;
            if (problems.Count >= MaxProblems)
            {
                break;
            }
        }

        if (problems.Count > 0)
        {
            throw new CsvFileException(problems);
        }

        return records;
    }

    /// <summary>
    /// What is wrong with a cell CsvHelper calls bad data: a quote inside an unquoted cell, text after a
    /// closing quote, or a quote that is closed only lines later or never.
    /// </summary>
    private static string QuoteProblem(string field, int start, int end)
    {
        if (!field.StartsWith('"'))
        {
            return "a quote (\") inside a cell that does not start with one; quote the whole cell and double the quote inside it (\"a \"\"b\"\" c\")";
        }

        var rest = field[1..].Replace("\"\"", "", StringComparison.Ordinal);
        if (!rest.Contains('"'))
        {
            return "a quote (\") opens a cell here and is never closed: it would swallow the rest of the file";
        }

        return field.Contains('\n') || field.Contains('\r')
            ? $"a quote (\") opens a cell here and is closed only on line {Math.Max(end, start + 1)}: a quote is stray or missing"
            : "text after the quote that closes a cell; quote the whole cell and double each quote inside it";
    }
}
