using System.Text;
using System.Text.Json.Nodes;
using Google.Rpc;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cli.Commands;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// One table of talents, judged by every caller of the shared rules: the rules as the SDK and the web app
/// call them, the registry (CreateTalent with validate_only, which is also what the web app's import dry
/// run asks row by row) and <c>lct hr talent import --dry-run</c>. Each must refuse the same rows on the
/// same field and accept the good one; before the rules were one, the SDK and lct accepted eleven of these.
/// </summary>
public sealed class SharedRulesTests(RunningSystemFixture fixture)
{
    public static TheoryData<string, string> Cases => new(Table.Select(c => (c.Name, c.Field)));

    private static readonly (string Name, string Field, Action<V1.Talent> Change)[] Table =
    [
        ("a name of 65 characters", "full_name", t => t.FullName = new string('张', 65)),
        ("a name of 100 characters", "full_name", t => t.FullName = new string('王', 100)),
        ("a control character in the name", "full_name", t => t.FullName = "张\u0001明"),
        ("nationality XYZ", "nationality", t => t.Nationality = "XYZ"),
        ("a resident ID with nationality USA", "nationality", t => t.Nationality = "USA"),
        ("a talent aged 10", "document_number", t => t.DocumentNumber = SyntheticData.ResidentId(new DateOnly(2016, 3, 1))),
        ("a talent aged 105", "document_number", t => t.DocumentNumber = SyntheticData.ResidentId(new DateOnly(1921, 3, 1))),
        ("region code 99", "document_number", t => t.DocumentNumber = SyntheticData.ResidentId(regionCode: "990101")),
        ("a passport of 19 characters", "document_number", t => (t.DocumentType, t.DocumentNumber) = (IdentityDocumentType.Passport, "E" + new string('1', 18))),
        ("a passport of letters only", "document_number", t => (t.DocumentType, t.DocumentNumber) = (IdentityDocumentType.Passport, "EABCDEFG")),
        ("an HK/Macao permit of H and 7 digits", "document_number", t => (t.DocumentType, t.DocumentNumber) = (IdentityDocumentType.HkMacaoPermit, "H1234567")),
        ("letters in a credit code's region digits", "employer_credit_code", t => t.EmployerCreditCode = CreditCode("91A71403MA3C00000")),
    ];

    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_rules_as_the_sdk_calls_them_name_the_field(string name, string field)
    {
        var problems = TalentRules.Validate(Talent(name), Now);
        Assert.Contains(field, problems.Select(p => p.Field));
    }

    [Fact]
    public async Task The_registry_and_lct_refuse_each_row_of_the_table_on_the_same_field_and_accept_the_good_one()
    {
        await fixture.EnsureStartedAsync();
        var good = Talent(null);
        Assert.Empty(TalentRules.Validate(good, Now));

        // The registry: one validate_only call per row.
        var registry = new TalentRegistryService.TalentRegistryServiceClient(fixture.Registry!.Channel);
        var hr = new CallOptions(new Metadata { { "authorization", "Bearer " + DevelopmentTokens.FromFile(fixture.DevKeyFile, createIfMissing: false).Mint(Roles.HrOfficer, "rules-test") } });
        foreach (var (name, field, _) in Table)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => registry.CreateTalentAsync(
                new CreateTalentRequest { RequestId = Guid.NewGuid().ToString("N"), Talent = Talent(name), ValidateOnly = true }, hr).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            var fields = ex.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field);
            Assert.True(fields.Contains("talent." + field), $"{name}: the registry named {string.Join(", ", fields)}");
        }

        await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = Guid.NewGuid().ToString("N"), Talent = good, ValidateOnly = true }, hr);

        // lct: the whole table as one file (line 2 is the good row), checked with --dry-run.
        var csv = new StringBuilder(string.Join(",", TalentImportCommand.Columns)).Append('\n').Append(Row(good)).Append('\n');
        foreach (var (name, _, _) in Table)
        {
            csv.Append(Row(Talent(name))).Append('\n');
        }

        var file = Path.Combine(fixture.WorkDirectory, "shared-rules.csv");
        await File.WriteAllTextAsync(file, csv.ToString(), TestContext.Current.CancellationToken);
        var result = await fixture.Lct.RunAsync("hr", "talent", "import", file, "--dry-run", "--json");
        Assert.NotEqual(0, result.ExitCode);
        var invalid = JsonNode.Parse(result.Stdout)!["invalid"]!.AsArray()
            .Select(p => ((int)p!["line"]!, (string)p["field"]!)).ToList();
        Assert.DoesNotContain(invalid, p => p.Item1 == 2);
        for (var i = 0; i < Table.Length; i++)
        {
            Assert.True(invalid.Contains((i + 3, Table[i].Field)), $"lct did not refuse line {i + 3} ({Table[i].Name}) on {Table[i].Field}: {result}");
        }
    }

    /// <summary>The same good talent each time (fixed seed), changed by the named case; null for the good one.</summary>
    private static V1.Talent Talent(string? caseName)
    {
        var talent = SyntheticTalent.Create(new Random(26), Tier.B);
        if (caseName is not null)
        {
            Table.Single(c => c.Name == caseName).Change(talent);
        }

        return talent;
    }

    private static string CreditCode(string first17) => first17 + CreditCodes.ComputeCheckCharacter(first17);

    private static string Row(V1.Talent t) => string.Join(",", Quote(t.FullName), t.Gender == Gender.Male ? "male" : "female",
        t.DocumentType.ToString() switch { "ResidentId" => "RESIDENT_ID", "Passport" => "PASSPORT", _ => "HK_MACAO_PERMIT" },
        t.DocumentNumber, t.Nationality, t.MobilePhone, Quote(t.EmployerName), t.EmployerCreditCode, t.Tier.ToString(), Quote(t.Programme));

    private static string Quote(string cell) => "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
