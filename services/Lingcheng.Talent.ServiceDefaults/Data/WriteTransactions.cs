using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Lingcheng.Talent.ServiceDefaults.Data;

/// <summary>
/// Runs a write as one serializable transaction, retrying when a concurrent writer won a race
/// (unique-key collision on an audit sequence or idempotency key, SQL Server deadlock, SQLite busy) or
/// the connection failed transiently. The work delegate must be re-runnable: it reads, decides and adds
/// entities; this saves and commits.
/// </summary>
/// <remarks>
/// This loop is the one retry policy of a write. On SQL Server the contexts use EF Core's retrying
/// execution strategy (<c>EnableRetryOnFailure</c>, for reads), which refuses a user-initiated transaction
/// unless the whole unit runs inside a strategy. The unit used to run inside that retrying strategy, with
/// this loop nested in it: a deadlock was retried 8 times per execution and up to 7 executions, 56 attempts.
/// Now it runs inside <see cref="SingleExecution"/>, a strategy that executes once (so EF accepts the
/// transaction) and leaves every retry to this loop: at most <c>attempts</c> in all.
/// </remarks>
public static class WriteTransactions
{
    public static Task<T> RunAsync<T>(DbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken, int attempts = 8) =>
        new SingleExecution(db).ExecuteAsync(ct => RunWithRetriesAsync(db, work, ct, attempts), cancellationToken);

    /// <summary>An execution strategy that runs its operation once: EF Core's frame for a user transaction, without retries.</summary>
    private sealed class SingleExecution(DbContext context) : ExecutionStrategy(context, maxRetryCount: 0, maxRetryDelay: TimeSpan.Zero)
    {
        protected override bool ShouldRetryOn(Exception exception) => false;
    }

    private static async Task<T> RunWithRetriesAsync<T>(DbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken, int attempts)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);
            try
            {
                var result = await work(cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (Exception ex) when (attempt < attempts && (IsTransient(ex) || SqlServerTransient.ShouldRetryOn(db, ex)))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, 10 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>A conflict or a transient failure that a retry can resolve.</summary>
    public static bool IsTransient(Exception ex) => (ex as DbUpdateException)?.InnerException is { } inner ? IsTransient(inner) : ex switch
    {
        SqliteException s => s.SqliteErrorCode is 5 or 6 or 19, // BUSY, LOCKED, CONSTRAINT (unique key race)
        SqlException s => s.Number is 1205 or 2627 or 2601, // deadlock victim, unique key violations
        _ => false,
    };

    /// <summary>
    /// On SQL Server, also what EF Core's retrying strategy would have retried (connection faults, timeouts,
    /// throttling): the writes keep that cover now that the strategy itself no longer retries them.
    /// </summary>
    private sealed class SqlServerTransient(DbContext context) : SqlServerRetryingExecutionStrategy(context)
    {
        public static bool ShouldRetryOn(DbContext db, Exception ex) =>
            db.Database.IsSqlServer() && new SqlServerTransient(db).Retries(ex);

        private bool Retries(Exception ex) => ShouldRetryOn(ex);
    }
}
