using System.Text;
using System.Text.Json.Nodes;
using Lingcheng.Talent.Cli.Commands;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary><c>lct hr talent import</c> as a process against the real services.</summary>
public sealed class ImportCommandTests(RunningSystemFixture fixture)
{
    private static readonly string Header = string.Join(",", TalentImportCommand.Columns);

    private LctProcess Lct => fixture.Lct;

    [Fact]
    public async Task Import_of_a_file_with_one_bad_row_imports_nothing_and_names_the_line_and_field()
    {
        await fixture.EnsureStartedAsync();
        var random = new Random(7);
        var good1 = SyntheticTalent.Create(random, Tier.A);
        var good2 = SyntheticTalent.Create(random, Tier.C);
        var bad = SyntheticTalent.Create(random, Tier.B);
        var lastDigit = bad.DocumentNumber[^1] == '0' ? '1' : '0'; // a wrong check digit
        bad.DocumentNumber = bad.DocumentNumber[..^1] + lastDigit;
        var csv = new StringBuilder(Header).Append('\n')
            .Append(Row(good1)).Append('\n')
            .Append(Row(bad)).Append('\n') // line 3
            .Append(Row(good2)).Append('\n');
        var file = Path.Combine(fixture.WorkDirectory, "talents-with-a-bad-row.csv");
        await File.WriteAllTextAsync(file, csv.ToString(), TestContext.Current.CancellationToken);

        var result = await Lct.RunAsync("hr", "talent", "import", file);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("line 3", result.Output);
        Assert.Contains("document_number", result.Output);
        Assert.DoesNotContain("at System.", result.Output); // no stack trace
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var after = await LctSteps.DocumentNumbersAsync(Lct);
        Assert.DoesNotContain(good1.DocumentNumber, after);
        Assert.DoesNotContain(good2.DocumentNumber, after);

        // With --skip-invalid the two good rows go in, and a re-run registers nobody twice.
        var skipped = await Lct.RunAsync("hr", "talent", "import", file, "--skip-invalid", "--json");
        Assert.True(skipped.ExitCode == 0, skipped.ToString());
        Assert.Equal(2, JsonNode.Parse(skipped.Stdout)!["imported"]!.AsArray().Count);
        var again = await Lct.RunAsync("hr", "talent", "import", file, "--skip-invalid", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        var final = await LctSteps.DocumentNumbersAsync(Lct);
        Assert.Equal(1, final.Count(d => d == good1.DocumentNumber));
        Assert.Equal(1, final.Count(d => d == good2.DocumentNumber));
        Assert.DoesNotContain(bad.DocumentNumber, final);
    }

    private static string Row(V1.Talent t) => string.Join(",",
        t.FullName, t.Gender == Gender.Male ? "male" : "female", "RESIDENT_ID", t.DocumentNumber, t.Nationality, t.MobilePhone,
        t.EmployerName, t.EmployerCreditCode, t.Tier.ToString(), t.Programme);
}
