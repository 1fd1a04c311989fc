using System.Text.Json.Nodes;
using Lingcheng.Talent.Cli.Commands;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>Steps the tests share, each one lct run.</summary>
internal static class LctSteps
{
    public static async Task<List<string>> DocumentNumbersAsync(LctProcess lct)
    {
        var list = await lct.RunAsync("hr", "talent", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        return [.. JsonNode.Parse(list.Stdout)!.AsArray().Select(t => (string?)t!["document_number"] ?? "")];
    }

    public static async Task<(string Card, string QrText)> IssueCardAsync(LctProcess lct)
    {
        var t = SyntheticTalent.Create(Random.Shared, Tier.B);
        var add = await lct.RunAsync("hr", "talent", "add", "--json",
            "--name", t.FullName, "--gender", t.Gender == Gender.Male ? "male" : "female", "--document-type", "RESIDENT_ID",
            "--document-number", t.DocumentNumber, "--nationality", "CHN", "--mobile", t.MobilePhone, "--employer", t.EmployerName,
            "--credit-code", t.EmployerCreditCode, "--tier", "B", "--programme", t.Programme);
        Assert.True(add.ExitCode == 0, add.ToString());
        var talentId = (string)JsonNode.Parse(add.Stdout)!["talent_id"]!;

        var issue = await lct.RunAsync("hr", "card", "issue", talentId, "--json");
        Assert.True(issue.ExitCode == 0, issue.ToString());
        var json = JsonNode.Parse(issue.Stdout)!;
        return ((string)json["card"]!["card_number"]!, (string)json["qr_text"]!);
    }

    public static async Task<LctResult> VerifyUntilAsync(LctProcess lct, string[] args, string expected)
    {
        // A new card reaches the verification service through the registry's event stream.
        LctResult result;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            result = await lct.RunAsync(args);
            if (result.Stdout.Contains(expected, StringComparison.Ordinal) || result.Stdout.Length == 0)
            {
                return result;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        return result;
    }
}
