using Lingcheng.Talent.Deploy.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// deploy/sql/*.sql — the idempotent SQL Server scripts a DBA applies by hand — are exactly what the services'
/// SQL Server migrations generate now (EF's migrator, as `dotnet ef migrations script --idempotent` runs it), so
/// they cannot drift from the migrations. When this fails, run deploy/sql/generate.sh and commit the scripts.
/// (That the models have no changes without a migration is checked by Data.Tests' MigrationTests.)
/// </summary>
public sealed class MigrationScriptTests
{
    [Theory]
    [InlineData("registry")]
    [InlineData("entitlements")]
    [InlineData("verification")]
    public void The_committed_idempotent_script_equals_the_generated_one(string service)
    {
        using var db = SqlServerContexts.Create(service, SqlServerContexts.Placeholder);
        var generated = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        var committed = File.ReadAllText(DeployFiles.Path("deploy", "sql", service + ".sql"));

        Assert.Contains("IF NOT EXISTS", generated);
        Assert.Contains("CREATE TABLE [AuditRecords]", generated);
        foreach (var migration in db.Database.GetMigrations())
        {
            Assert.Contains($"N'{migration}'", committed);
        }

        Assert.True(Normalize(generated) == Normalize(committed),
            $"deploy/sql/{service}.sql differs from what the migrations generate: run deploy/sql/generate.sh and commit the result.");
    }

    private static string Normalize(string script) =>
        string.Join('\n', script.TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd())).Trim();
}
