using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.ServiceDefaults.Data;

/// <summary>
/// Runs a write as one serializable transaction, retrying when a concurrent writer won a race
/// (unique-key collision on an audit sequence or idempotency key, SQL Server deadlock, SQLite busy).
/// The work delegate must be re-runnable: it reads, decides and adds entities; this saves and commits.
/// </summary>
public static class WriteTransactions
{
    public static Task<T> RunAsync<T>(DbContext db, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken, int attempts = 8) =>
        // SQL Server's retrying execution strategy refuses user-initiated transactions unless the
        // whole unit runs inside the strategy; our own loop then handles the write conflicts.
        db.Database.CreateExecutionStrategy().ExecuteAsync(ct => RunWithRetriesAsync(db, work, ct, attempts), cancellationToken);

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
            catch (Exception ex) when (attempt < attempts && IsTransient(ex))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                await Task.Delay(Random.Shared.Next(1, 10 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>A conflict that a retry can resolve.</summary>
    public static bool IsTransient(Exception ex) => (ex as DbUpdateException)?.InnerException is { } inner ? IsTransient(inner) : ex switch
    {
        SqliteException s => s.SqliteErrorCode is 5 or 6 or 19, // BUSY, LOCKED, CONSTRAINT (unique key race)
        SqlException s => s.Number is 1205 or 2627 or 2601, // deadlock victim, unique key violations
        _ => false,
    };
}
