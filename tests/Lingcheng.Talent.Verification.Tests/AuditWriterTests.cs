using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.Verification.Audit;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>The group-committing audit writer on a real SQLite file (in process).</summary>
public sealed class AuditWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lct-tests", "audit-" + Guid.NewGuid().ToString("N"));
    private readonly Factory _contexts;

    public AuditWriterTests()
    {
        Directory.CreateDirectory(_folder);
        _contexts = new Factory(DatabaseExtensions.SqliteConnectionString(Path.Combine(_folder, "verification.db")));
        using var db = _contexts.CreateDbContext();
        db.Database.Migrate();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_records_are_committed_in_batches_into_one_intact_chain_that_a_restart_continues(bool skipFsync)
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = NewWriter(skipFsync);
        await writer.StartAsync(ct);
        var sequences = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => writer.AppendAsync(
            new AuditEntry("agency_terminal:EDU/t1", "EDU", "Verify", "LC260000012", i % 3 == 0 ? "VALID" : "MALFORMED", "terminal=t1"),
            i % 3 == 0 ? new CardVerificationNote("LC260000012", "EDU", "VALID", "VERIFY", null) : null)));
        await writer.StopAsync(ct);

        var restarted = NewWriter(skipFsync);
        await restarted.StartAsync(ct);
        var next = await restarted.AppendAsync(new AuditEntry("agency_terminal:EDU/t1", "EDU", "Redeem", "LC260000012", "REDEEMED"));
        await restarted.StopAsync(ct);

        await using var db = _contexts.CreateDbContext();
        var report = await AuditChain.VerifyAsync(db, ct);
        Assert.True(report.Intact, report.Detail);
        Assert.Equal(301, report.RecordsChecked);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), sequences.Order());
        Assert.Equal(301, next);
        Assert.Equal(100, await db.CardVerifications.CountAsync(ct));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private AuditWriter NewWriter(bool skipFsync) => new(_contexts, TimeProvider.System,
        Microsoft.Extensions.Options.Options.Create(new VerificationOptions { AuditSkipsFsync = skipFsync }), NullLogger<AuditWriter>.Instance);

    private sealed class Factory(string connectionString) : IDbContextFactory<VerificationDbContext>
    {
        public VerificationDbContext CreateDbContext() => new SqliteVerificationDbContext(
            new DbContextOptionsBuilder<SqliteVerificationDbContext>().UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance).Options);
    }
}
