using System.Text;
using System.Text.Json.Nodes;
using Lingcheng.Talent.Cli.Commands;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// The import's reading of the file (issue 26, item 2): strict decoding (UTF-8 with or without BOM,
/// GB18030 when chosen) and quoting errors by line; a file with either imports nothing.
/// </summary>
public sealed class ImportEncodingTests(RunningSystemFixture fixture) : IDisposable
{
    private static readonly string Header = string.Join(",", TalentImportCommand.Columns);

    /// <summary>GB18030 from the code-page provider that ships with .NET (not registered by default).</summary>
    private static readonly Encoding Gb18030 = CodePagesEncodingProvider.Instance.GetEncoding(54936)!;

    private readonly string _folder = Directory.CreateTempSubdirectory("lct-import-encoding-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static V1.Talent Talent(int seed, string? name = null)
    {
        var t = SyntheticTalent.Create(new Random(seed), Tier.B);
        if (name is not null)
        {
            t.FullName = name;
        }

        return t;
    }

    private static string Row(V1.Talent t) => string.Join(",",
        t.FullName, t.Gender == Gender.Male ? "male" : "female", "RESIDENT_ID", t.DocumentNumber, "CHN", t.MobilePhone,
        t.EmployerName, t.EmployerCreditCode, "B", t.Programme);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Csv(params string[] rows) => Header + "\r\n" + string.Join("\r\n", rows) + "\r\n";

    [Fact]
    public void A_gb18030_file_is_refused_as_not_utf8_naming_the_line_and_suggesting_encoding_gb18030()
    {
        var file = Write("excel.csv", Gb18030.GetBytes(Csv(Row(Talent(1, "张晓明")), Row(Talent(2)))));

        var ex = Assert.Throws<CsvFileException>(() => TalentImportCommand.ReadRows(file, out _));

        Assert.Equal(2, ex.Problems[0].Line);
        Assert.Contains("not valid UTF-8", ex.Problems[0].Problem);
        Assert.Contains("--encoding gb18030", ex.Problems[0].Problem);
    }

    [Fact]
    public void A_gb18030_file_read_with_encoding_gb18030_keeps_every_name_intact()
    {
        var a = Talent(1, "张晓明");
        var b = Talent(2, "欧阳雨桐");
        var file = Write("excel.csv", Gb18030.GetBytes(Csv(Row(a), Row(b))));

        var rows = TalentImportCommand.ReadRows(file, out var headerProblem, CsvFile.ParseEncodingName("GBK"), out var used);
        var (valid, invalid) = TalentImportCommand.Check(rows);

        Assert.Null(headerProblem);
        Assert.Equal("gb18030", used);
        Assert.Empty(invalid);
        Assert.Equal(["张晓明", "欧阳雨桐"], valid.Select(r => r.Talent.FullName));
        Assert.Equal(a.EmployerName, valid[0].Talent.EmployerName);
    }

    [Fact]
    public void A_utf8_file_with_a_byte_order_mark_reads_its_header_and_names()
    {
        var file = Write("bom.csv", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Csv(Row(Talent(3, "张晓明"))))]);

        var rows = TalentImportCommand.ReadRows(file, out var headerProblem, null, out var used);

        Assert.Null(headerProblem);
        Assert.StartsWith("utf-8", used);
        Assert.Equal("张晓明", Assert.Single(TalentImportCommand.Check(rows).Valid).Talent.FullName);
        Assert.Throws<CsvFileException>(() => TalentImportCommand.ReadRows(file, out _, "gb18030"));
    }

    [Fact]
    public void A_byte_that_gb18030_does_not_allow_is_reported_by_line_even_with_encoding_gb18030()
    {
        var good = Gb18030.GetBytes(Csv(Row(Talent(4)), Row(Talent(5))));
        var file = Write("broken.csv", [.. good, .. Gb18030.GetBytes("李"), 0x80, .. "x,female\r\n"u8]); // a lone 0x80 on line 4

        var ex = Assert.Throws<CsvFileException>(() => TalentImportCommand.ReadRows(file, out _, "gb18030"));

        Assert.Equal(4, Assert.Single(ex.Problems).Line);
        Assert.Contains("not valid GB18030", ex.Problems[0].Problem);
    }

    [Fact]
    public void A_stray_quote_inside_a_cell_is_reported_by_line()
    {
        var stray = Row(Talent(6)).Replace(",male,", ",ma\"le,", StringComparison.Ordinal).Replace(",female,", ",fem\"ale,", StringComparison.Ordinal);
        var file = Write("stray.csv", Encoding.UTF8.GetBytes(Csv(Row(Talent(7)), stray, Row(Talent(8)))));

        var ex = Assert.Throws<CsvFileException>(() => TalentImportCommand.ReadRows(file, out _));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(3, problem.Line);
        Assert.Contains("quote", problem.Problem);
    }

    [Fact]
    public void A_quote_that_opens_a_cell_and_closes_rows_later_is_reported_at_the_line_it_opens()
    {
        var opens = Row(Talent(9)).Replace(",RESIDENT_ID,", ",\"RESIDENT_ID,", StringComparison.Ordinal); // line 3
        var closes = "\"" + Row(Talent(10)); // line 5 starts with the quote that closes it
        var file = Write("runs-on.csv", Encoding.UTF8.GetBytes(Csv(Row(Talent(11)), opens, Row(Talent(12)), closes, Row(Talent(13)))));

        var ex = Assert.Throws<CsvFileException>(() => TalentImportCommand.ReadRows(file, out _));

        Assert.Equal(3, ex.Problems[0].Line);
        Assert.Contains("line 5", ex.Problems[0].Problem);
    }

    [Fact]
    public void An_unterminated_quote_is_reported_by_line_instead_of_swallowing_the_rest_of_the_file()
    {
        var opens = Row(Talent(14)).Replace(",RESIDENT_ID,", ",\"RESIDENT_ID,", StringComparison.Ordinal);
        var file = Write("unterminated.csv", Encoding.UTF8.GetBytes(Csv(Row(Talent(15)), Row(Talent(16)), opens, Row(Talent(17)), Row(Talent(18)))));

        var ex = Assert.Throws<CsvFileException>(() => TalentImportCommand.ReadRows(file, out _));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(4, problem.Line);
        Assert.Contains("never closed", problem.Problem);
    }

    [Fact]
    public void A_name_holding_the_replacement_character_is_an_invalid_row()
    {
        var file = Write("lost.csv", Encoding.UTF8.GetBytes(Csv(Row(Talent(19, "\uFFFD\uFFFD\uFFFD")))));

        var (valid, invalid) = TalentImportCommand.Check(TalentImportCommand.ReadRows(file, out _));

        Assert.Empty(valid);
        Assert.Contains(invalid, p => p is { Line: 2, Field: "full_name" } && p.Problem.Contains("U+FFFD", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("UTF8", "utf-8")]
    [InlineData("gb2312", "gb18030")]
    [InlineData("GB18030", "gb18030")]
    public void Encoding_names_are_read_and_gbk_is_read_as_gb18030(string? given, string? expected) =>
        Assert.Equal(expected, CsvFile.ParseEncodingName(given));

    [Fact]
    public async Task Lct_imports_a_gb18030_file_with_encoding_gb18030_and_registers_the_names_intact()
    {
        await fixture.EnsureStartedAsync();
        var a = Talent(Random.Shared.Next(), "张晓明");
        var b = Talent(Random.Shared.Next(), "欧阳雨桐");
        var file = Write("wps-export.csv", Gb18030.GetBytes(Csv(Row(a), Row(b))));

        var refused = await fixture.Lct.RunAsync("hr", "talent", "import", file, "--dry-run");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("line 2", refused.Stderr);
        Assert.Contains("--encoding gb18030", refused.Stderr);

        var import = await fixture.Lct.RunAsync("hr", "talent", "import", file, "--encoding", "gb18030", "--json");
        Assert.True(import.ExitCode == 0, import.ToString());
        var names = JsonNode.Parse(import.Stdout)!["imported"]!.AsArray().Select(i => (string?)i!["full_name"]).ToList();
        Assert.Equal(["张晓明", "欧阳雨桐"], names);
    }

    [Fact]
    public async Task Lct_sends_nothing_from_a_file_with_a_bad_quote_even_with_skip_invalid()
    {
        await fixture.EnsureStartedAsync();
        var good = Talent(Random.Shared.Next());
        var broken = Talent(Random.Shared.Next());
        var opens = Row(broken).Replace(",RESIDENT_ID,", ",\"RESIDENT_ID,", StringComparison.Ordinal);
        var file = Write("half.csv", Encoding.UTF8.GetBytes(Csv(Row(good), opens)));

        var result = await fixture.Lct.RunAsync("hr", "talent", "import", file, "--skip-invalid");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("line 3", result.Stderr);
        Assert.Contains("nothing imported", result.Stderr);
        Assert.DoesNotContain("at System.", result.Output);
        var registered = await LctSteps.DocumentNumbersAsync(fixture.Lct);
        Assert.DoesNotContain(good.DocumentNumber, registered);
    }
}
