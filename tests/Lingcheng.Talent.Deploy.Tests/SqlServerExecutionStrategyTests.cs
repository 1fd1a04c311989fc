using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// On SQL Server the services register their contexts with <c>EnableRetryOnFailure()</c>
/// (ServiceDefaults' DatabaseExtensions), i.e. EF's <see cref="SqlServerRetryingExecutionStrategy"/>, and write
/// through <see cref="WriteTransactions"/>, which begins its own transaction. EF refuses user-initiated
/// transactions under a retrying strategy unless they run inside <c>CreateExecutionStrategy().ExecuteAsync</c>,
/// so every write would fail on SQL Server. The same strategy on a SQLite file shows it without a SQL Server.
/// </summary>
public sealed class SqlServerExecutionStrategyTests
{
    [Fact]
    public async Task Write_transactions_work_under_the_execution_strategy_the_services_use_on_sql_server()
    {
        var file = Path.Combine(Path.GetTempPath(), $"lct-strategy-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<Registry.Data.SqliteTalentRegistryDbContext>()
                .UseSqlite(DatabaseExtensions.SqliteConnectionString(file), o => o.ExecutionStrategy(d => new SqlServerRetryingExecutionStrategy(d)))
                .AddInterceptors(SqlitePragmas.Instance)
                .Options;
            await using var db = new Registry.Data.SqliteTalentRegistryDbContext(options);
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);

            await WriteTransactions.RunAsync(db, async ct =>
            {
                await AuditChain.AppendAsync(db, new AuditEntry("service:test", null, "Append", null, "OK"), DateTimeOffset.UtcNow, ct);
                return 0;
            }, TestContext.Current.CancellationToken);

            Assert.True((await AuditChain.VerifyAsync(db, TestContext.Current.CancellationToken)).RecordsChecked == 1);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}

/// <summary>
/// One retry policy for writes: a conflict that both EF Core's retrying strategy and
/// <see cref="WriteTransactions"/> take for transient (a SQL Server deadlock) was retried by both, one loop
/// inside the other — 8 attempts per execution, 7 executions, 56 attempts. Played on a SQLite file with a
/// SQL Server retrying strategy that also retries SQLite's BUSY (SQL Server's 1205 cannot be made without a server).
/// </summary>
public sealed class WriteRetryPolicyTests
{
    private sealed class DeadlockRetryingStrategy(ExecutionStrategyDependencies dependencies)
        : SqlServerRetryingExecutionStrategy(dependencies, maxRetryCount: 6, maxRetryDelay: TimeSpan.FromMilliseconds(5), errorNumbersToAdd: null)
    {
        protected override bool ShouldRetryOn(Exception exception) => WriteTransactions.IsTransient(exception) || base.ShouldRetryOn(exception);
    }

    [Fact]
    public async Task A_deadlock_is_retried_by_one_loop_only_at_most_eight_attempts_in_all()
    {
        var file = Path.Combine(Path.GetTempPath(), $"lct-retry-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<Registry.Data.SqliteTalentRegistryDbContext>()
                .UseSqlite(DatabaseExtensions.SqliteConnectionString(file), o => o.ExecutionStrategy(d => new DeadlockRetryingStrategy(d)))
                .AddInterceptors(SqlitePragmas.Instance)
                .Options;
            await using var db = new Registry.Data.SqliteTalentRegistryDbContext(options);
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);

            var attempts = 0;
            var busy = await Assert.ThrowsAnyAsync<Exception>(() => WriteTransactions.RunAsync<int>(db, _ =>
            {
                attempts++;
                throw new DbUpdateException("deadlock", new Microsoft.Data.Sqlite.SqliteException("database is locked", 5));
            }, TestContext.Current.CancellationToken));

            Assert.True(WriteTransactions.IsTransient(busy));
            Assert.Equal(8, attempts);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
