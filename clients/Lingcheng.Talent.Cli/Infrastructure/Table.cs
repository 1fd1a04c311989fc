using System.Text;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// A plain-text table whose columns line up in a terminal even with Chinese text (columns are
/// measured in display width, not characters).
/// </summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; } = headers;

    /// <summary>The rows added so far.</summary>
    public IReadOnlyList<string[]> Rows => _rows;

    /// <summary>Adds a row; missing cells are blank, null cells are blank.</summary>
    public Table Add(params string?[] cells)
    {
        var row = new string[Headers.Count];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = i < cells.Length ? Clean(cells[i]) : "";
        }

        _rows.Add(row);
        return this;
    }

    /// <summary>Renders the table: header, a rule, the rows; columns two spaces apart, no trailing spaces.</summary>
    public string Render()
    {
        var widths = new int[Headers.Count];
        for (var i = 0; i < widths.Length; i++)
        {
            widths[i] = Math.Max(DisplayWidth.Of(Headers[i]), _rows.Count == 0 ? 0 : _rows.Max(r => DisplayWidth.Of(r[i])));
        }

        var builder = new StringBuilder();
        AppendRow(builder, Headers, widths);
        AppendRow(builder, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in _rows)
        {
            AppendRow(builder, row, widths);
        }

        return builder.ToString();
    }

    /// <summary>A two-column "field: value" listing for one record.</summary>
    public static string KeyValues(IEnumerable<(string Key, string? Value)> pairs)
    {
        var list = pairs.Where(p => !string.IsNullOrEmpty(p.Value)).ToList();
        var width = list.Count == 0 ? 0 : list.Max(p => DisplayWidth.Of(p.Key));
        var builder = new StringBuilder();
        foreach (var (key, value) in list)
        {
            builder.Append(DisplayWidth.PadRight(key, width)).Append("  ").Append(Clean(value)).Append('\n');
        }

        return builder.ToString();
    }

    private static void AppendRow(StringBuilder builder, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                line.Append("  ");
            }

            line.Append(i == cells.Count - 1 ? cells[i] : DisplayWidth.PadRight(cells[i], widths[i]));
        }

        builder.Append(line.ToString().TrimEnd()).Append('\n');
    }

    // Cells are one line: a newline or tab in data would break the columns.
    private static string Clean(string? text) =>
        string.IsNullOrEmpty(text) ? "" : text.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
}
