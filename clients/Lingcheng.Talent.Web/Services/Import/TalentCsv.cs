using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Lingcheng.Talent.Web.Services.Import;

/// <summary>One data row of a talents CSV: its line in the file (the header is line 1) and its cells by column.</summary>
public sealed record CsvRow(int Line, IReadOnlyDictionary<string, string> Cells, string? Problem);

/// <summary>A talents CSV as read: the rows, the encoding it was read in, or why the file cannot be read at all.</summary>
public sealed record CsvFile(IReadOnlyList<CsvRow> Rows, string Encoding, string? Problem);

/// <summary>
/// Reads a talents CSV the way Excel and WPS write one: UTF-8 with or without a BOM, or GB18030 (what
/// "CSV" means on Chinese Windows), decoded strictly — a byte that is not valid in the encoding is
/// reported by its line, never turned into ����. Quotes follow RFC 4180 (CsvHelper); a stray quote in a
/// cell or a quote never closed is reported by its line instead of swallowing the rows after it.
/// </summary>
public static class TalentCsv
{
    /// <summary>The header, in this order (programme may be left out); the same as <c>lct hr talent import</c>'s.</summary>
    public static readonly string[] Columns =
        ["full_name", "gender", "document_type", "document_number", "nationality", "mobile_phone", "employer_name", "employer_credit_code", "tier", "programme"];

    static TalentCsv() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Reads the file; <paramref name="encoding"/> is "utf-8", "gb18030" or null to detect (a BOM, else strict UTF-8, else GB18030).</summary>
    public static CsvFile Read(byte[] bytes, string? encoding)
    {
        var (text, used, problem) = Decode(bytes, encoding);
        if (text is null)
        {
            return new CsvFile([], used, problem);
        }

        var rows = new List<CsvRow>();
        string? badData = null;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Mode = CsvMode.RFC4180,
            IgnoreBlankLines = true,
            MissingFieldFound = null,
            BadDataFound = args => badData ??= $"line {args.Context.Parser?.RawRow}: a quote inside a cell that is not quoted (quote the whole cell and double the quote: \"\"\")",
        };
        using var reader = new CsvReader(new StringReader(text), config);
        if (!reader.Read() || !reader.ReadHeader())
        {
            return new CsvFile([], used, "line 1: the file is empty; the first line must be the header " + string.Join(",", Columns));
        }

        var header = reader.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var missing = Columns.Where(c => c != "programme" && !header.Contains(c)).ToList();
        var unknown = header.Where(h => !Columns.Contains(h)).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            return new CsvFile([], used, "line 1: " + (missing.Count > 0 ? $"missing column(s) {string.Join(", ", missing)}; " : "")
                + (unknown.Count > 0 ? $"unknown column(s) {string.Join(", ", unknown)}; " : "") + "expected the header " + string.Join(",", Columns));
        }

        var lastLine = 1;
        while (reader.Read())
        {
            var line = lastLine + 1;
            lastLine = reader.Parser.RawRow;
            if (badData is not null)
            {
                return new CsvFile(rows, used, badData);
            }

            var record = reader.Parser.Record ?? [];
            if (lastLine > line && record.Any(cell => cell.Contains('\n', StringComparison.Ordinal)))
            {
                // A quote opened and never closed runs on over the following lines.
                return new CsvFile(rows, used, $"line {line}: a quote is opened and not closed (the cell runs on to line {lastLine})");
            }

            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                cells[header[i]] = i < record.Length ? record[i].Trim() : "";
            }

            rows.Add(new CsvRow(line, cells, record.Length > header.Length ? "the row has more cells than the header has columns (quote cells that contain commas)" : null));
        }

        return new CsvFile(rows, used, badData);
    }

    private static (string? Text, string Encoding, string? Problem) Decode(byte[] bytes, string? choice)
    {
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
        if (bom || choice is "utf-8")
        {
            return Strict(bytes, bom ? 3 : 0, new UTF8Encoding(false, throwOnInvalidBytes: true), "UTF-8");
        }

        var gb18030 = Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        if (choice is "gb18030")
        {
            return Strict(bytes, 0, gb18030, "GB18030");
        }

        var utf8 = Strict(bytes, 0, new UTF8Encoding(false, throwOnInvalidBytes: true), "UTF-8");
        if (utf8.Text is not null)
        {
            return utf8;
        }

        var chinese = Strict(bytes, 0, gb18030, "GB18030");
        return chinese.Text is not null ? chinese : (null, "UTF-8", utf8.Problem + "; it is not GB18030 either");
    }

    private static (string? Text, string Encoding, string? Problem) Strict(byte[] bytes, int offset, Encoding encoding, string name)
    {
        try
        {
            return (encoding.GetString(bytes, offset, bytes.Length - offset), name, null);
        }
        catch (DecoderFallbackException ex)
        {
            var at = Math.Clamp(offset + Math.Max(0, ex.Index), 0, bytes.Length);
            var line = 1 + bytes.AsSpan(0, at).Count((byte)'\n');
            return (null, name, $"line {line}: bytes that are not valid {name} (save the file as UTF-8, or choose GB18030)");
        }
    }
}
