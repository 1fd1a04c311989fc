using Xunit;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.Verification.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Lingcheng.Talent.Data.Tests;

/// <summary>Both migration sets of every service match its model and apply (SQLite) or script (SQL Server).</summary>
public sealed class MigrationTests
{
    public static TheoryData<string> Services => ["Registry", "Entitlements", "Verification"];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task The_sqlite_migrations_apply_to_an_empty_database(string service)
    {
        var file = Path.Combine(Path.GetTempPath(), $"lct-migrate-{Guid.NewGuid():N}.db");
        try
        {
            await using (var db = Create(service, DatabaseProvider.Sqlite, DatabaseExtensions.SqliteConnectionString(file)))
            {
                await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
                Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
                Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Neither_provider_has_model_changes_without_a_migration(string service)
    {
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.SqlServer })
        {
            using var db = Create(service, provider, provider == DatabaseProvider.Sqlite ? "Data Source=:memory:" : SqlServerPlaceholder);
            Assert.False(db.Database.HasPendingModelChanges(), $"{service} on {provider}: the model has changes that no migration captures; add a migration.");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void The_sql_server_migrations_generate_an_idempotent_script(string service)
    {
        using var db = Create(service, DatabaseProvider.SqlServer, SqlServerPlaceholder);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("CREATE TABLE [AuditRecords]", script);
        Assert.Contains("IF NOT EXISTS", script);
    }

    [Fact]
    public async Task The_seed_holds_the_16_benefits_and_the_18_agencies()
    {
        var files = new List<string>();
        try
        {
            var entitlementsFile = Temp(files);
            await using (var db = Create("Entitlements", DatabaseProvider.Sqlite, DatabaseExtensions.SqliteConnectionString(entitlementsFile)))
            {
                await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
                var benefits = await db.Set<BenefitEntity>().OrderBy(b => b.SortOrder).ToListAsync(TestContext.Current.CancellationToken);
                Assert.Equal(16, benefits.Count);
                Assert.Equal("MEDICAL_GREEN_CHANNEL", benefits[0].Code);
                Assert.Equal(12, benefits.Single(b => b.Code == "SCENIC_SPOT_ENTRY").QuotaLimit);
            }

            var verificationFile = Temp(files);
            await using (var db = Create("Verification", DatabaseProvider.Sqlite, DatabaseExtensions.SqliteConnectionString(verificationFile)))
            {
                await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
                var agencies = await db.Set<AgencyEntity>().ToListAsync(TestContext.Current.CancellationToken);
                Assert.Equal(18, agencies.Count);
                Assert.Contains(agencies, a => a.Code == "HOSP_PEOPLE" && a.Name == "陵城区人民医院");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            files.ForEach(File.Delete);
        }
    }

    private const string SqlServerPlaceholder = "Server=127.0.0.1,1;Database=lct;User Id=sa;Password=unused;TrustServerCertificate=true";

    private static string Temp(List<string> files)
    {
        var file = Path.Combine(Path.GetTempPath(), $"lct-seed-{Guid.NewGuid():N}.db");
        files.Add(file);
        return file;
    }

    private static DbContext Create(string service, DatabaseProvider provider, string connectionString)
    {
        DbContextOptions<T> Options<T>() where T : DbContext
        {
            var builder = new DbContextOptionsBuilder<T>();
            return (provider == DatabaseProvider.Sqlite ? builder.UseSqlite(connectionString) : builder.UseSqlServer(connectionString)).Options;
        }

        return (service, provider) switch
        {
            ("Registry", DatabaseProvider.Sqlite) => new SqliteTalentRegistryDbContext(Options<SqliteTalentRegistryDbContext>()),
            ("Registry", _) => new SqlServerTalentRegistryDbContext(Options<SqlServerTalentRegistryDbContext>()),
            ("Entitlements", DatabaseProvider.Sqlite) => new SqliteEntitlementDbContext(Options<SqliteEntitlementDbContext>()),
            ("Entitlements", _) => new SqlServerEntitlementDbContext(Options<SqlServerEntitlementDbContext>()),
            ("Verification", DatabaseProvider.Sqlite) => new SqliteVerificationDbContext(Options<SqliteVerificationDbContext>()),
            _ => new SqlServerVerificationDbContext(Options<SqlServerVerificationDbContext>()),
        };
    }
}
