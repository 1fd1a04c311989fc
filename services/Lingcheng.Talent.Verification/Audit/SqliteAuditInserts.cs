using System.Globalization;
using System.Text;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Lingcheng.Talent.Verification.Audit;

/// <summary>
/// The audit writer's transaction on SQLite, written through SQLitePCL (the native layer under
/// Microsoft.Data.Sqlite): its statements prepared once on the writer's open connection and
/// bound by position, strings as UTF-8, the batch's one timestamp formatted once. Through
/// Microsoft.Data.Sqlite every ExecuteNonQuery looked each parameter up by name, formatted each
/// DateTimeOffset again and re-entered its statement list, which showed in the writer's profile
/// (a few µs a verify, docs/performance.md). The bytes stored are the ones Microsoft.Data.Sqlite
/// would store, so EF Core reads the rows back unchanged (pinned by a test).
/// </summary>
internal sealed class SqliteAuditInserts : IAuditInserts
{
    /// <summary>How Microsoft.Data.Sqlite writes a DateTimeOffset, and so how EF Core reads it back.</summary>
    private const string DateTimeOffsetFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz";

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _begin;
    private readonly sqlite3_stmt _commit;
    private readonly sqlite3_stmt _rollback;
    private readonly sqlite3_stmt _audit;
    private readonly sqlite3_stmt _card;
    private byte[] _utf8 = new byte[1024];

    public SqliteAuditInserts(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The audit connection is not open.");
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
        _audit = Prepare("INSERT INTO AuditRecords (Sequence, OccurredAt, Principal, Agency, Action, Target, Outcome, Detail, PreviousHash, Hash) "
            + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        _card = Prepare("INSERT INTO CardVerifications (AuditSequence, CardNumber, OccurredAt, AgencyCode, Outcome, Action, BenefitCode) "
            + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    }

    /// <summary>Throws <see cref="SqliteException"/>, and rolls back, on any failure.</summary>
    public void Write(IReadOnlyList<AuditRecord> records, IReadOnlyList<CardVerificationNote> notes)
    {
        Span<byte> buffer = stackalloc byte[64];
        var at = buffer[..0];
        var formatted = DateTimeOffset.MinValue;
        Run(_begin);
        try
        {
            foreach (var r in records)
            {
                at = Timestamp(r.OccurredAt, buffer, at, ref formatted);
                Check(raw.sqlite3_bind_int64(_audit, 1, r.Sequence));
                Check(raw.sqlite3_bind_text(_audit, 2, at));
                Text(_audit, 3, r.Principal);
                Text(_audit, 4, r.Agency);
                Text(_audit, 5, r.Action);
                Text(_audit, 6, r.Target);
                Text(_audit, 7, r.Outcome);
                Text(_audit, 8, r.Detail);
                Text(_audit, 9, r.PreviousHash);
                Text(_audit, 10, r.Hash);
                Run(_audit);
            }

            foreach (var note in notes)
            {
                at = Timestamp(note.OccurredAt, buffer, at, ref formatted);
                Check(raw.sqlite3_bind_int64(_card, 1, note.AuditSequence));
                Text(_card, 2, note.CardNumber);
                Check(raw.sqlite3_bind_text(_card, 3, at));
                Text(_card, 4, note.AgencyCode);
                Text(_card, 5, note.Outcome);
                Text(_card, 6, note.Action);
                Text(_card, 7, note.BenefitCode);
                Run(_card);
            }

            Run(_commit);
        }
        catch
        {
            if (raw.sqlite3_get_autocommit(_db) == 0)
            {
                raw.sqlite3_step(_rollback);
                raw.sqlite3_reset(_rollback);
            }

            throw;
        }
    }

    public void Dispose()
    {
        foreach (var statement in new[] { _begin, _commit, _rollback, _audit, _card })
        {
            statement.Dispose();
        }
    }

    /// <summary>
    /// The timestamp as Microsoft.Data.Sqlite writes it (<see cref="DateTimeOffsetFormat"/>), in UTF-8:
    /// <paramref name="last"/> again when it is of the same instant as the one before (a batch's
    /// records share one), else formatted anew into <paramref name="buffer"/>.
    /// </summary>
    private static Span<byte> Timestamp(DateTimeOffset value, Span<byte> buffer, Span<byte> last, ref DateTimeOffset formatted)
    {
        if (!last.IsEmpty && value == formatted && value.Offset == formatted.Offset)
        {
            return last;
        }

        Span<char> chars = stackalloc char[64];
        if (!value.TryFormat(chars, out var written, DateTimeOffsetFormat, CultureInfo.InvariantCulture))
        {
            throw new FormatException("The audit timestamp did not fit its buffer.");
        }

        formatted = value;
        return buffer[..Encoding.UTF8.GetBytes(chars[..written], buffer)];
    }

    private sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    private void Text(sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(statement, index));
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _utf8.Length)
        {
            _utf8 = new byte[max];
        }

        // SQLitePCL binds with SQLITE_TRANSIENT (SQLite copies the bytes), so the buffer is reused at once.
        var length = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(statement, index, _utf8.AsSpan(0, length)));
    }

    private void Run(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            throw Failure(rc);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Failure(rc);
        }
    }

    private SqliteException Failure(int rc) =>
        new($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc, raw.sqlite3_extended_errcode(_db));
}
