using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.ServiceDefaults.Audit;

/// <summary>
/// One append-only audit record (SPEC §7.4): who, what, when, outcome. Each record holds the
/// hash of its predecessor, so editing or deleting any row breaks the chain from there on.
/// </summary>
public sealed class AuditRecord
{
    /// <summary>Position in the chain, from 1, without gaps.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Who: role and subject, or role, agency and terminal.</summary>
    public required string Principal { get; set; }

    public string? Agency { get; set; }

    /// <summary>What, e.g. <c>IssueCard</c>, <c>Verify</c>.</summary>
    public required string Action { get; set; }

    /// <summary>On what, e.g. a card number. Never an identity number, phone number or token.</summary>
    public string? Target { get; set; }

    /// <summary>How it ended, e.g. <c>OK</c>, <c>VALID</c>, <c>QUOTA_EXHAUSTED</c>.</summary>
    public required string Outcome { get; set; }

    /// <summary>Non-personal details.</summary>
    public string? Detail { get; set; }

    /// <summary>Hex SHA-256 of the previous record; 64 zeros for the first.</summary>
    public required string PreviousHash { get; set; }

    /// <summary>Hex SHA-256 of this record's fields and <see cref="PreviousHash"/>.</summary>
    public required string Hash { get; set; }
}

/// <summary>
/// Table mapping of <see cref="AuditRecord"/>; shared by every service's context. The index on
/// <see cref="AuditRecord.Target"/> serves an operator's "everything about this card"; a service
/// that writes a record per verify and answers that question from a table of its own leaves it out
/// (<paramref name="indexTarget"/>), as every record would otherwise cost a random index-page write.
/// </summary>
public sealed class AuditRecordConfiguration(bool indexTarget = true) : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> b)
    {
        b.ToTable("AuditRecords");
        b.HasKey(r => r.Sequence);
        b.Property(r => r.Sequence).ValueGeneratedNever();
        b.Property(r => r.Principal).HasMaxLength(200);
        b.Property(r => r.Agency).HasMaxLength(32);
        b.Property(r => r.Action).HasMaxLength(64);
        b.Property(r => r.Target).HasMaxLength(128);
        b.Property(r => r.Outcome).HasMaxLength(64);
        b.Property(r => r.Detail).HasMaxLength(1000);
        b.Property(r => r.PreviousHash).HasMaxLength(64).IsFixedLength();
        b.Property(r => r.Hash).HasMaxLength(64).IsFixedLength();
        if (indexTarget)
        {
            b.HasIndex(r => r.Target);
        }
    }
}

/// <summary>Hashing and checking of the audit chain.</summary>
public static class AuditChain
{
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>The record's hash over every field, each length-prefixed so no two records collide by concatenation.</summary>
    public static string ComputeHash(AuditRecord r)
    {
        ReadOnlySpan<string?> fields = [r.Principal, r.Agency, r.Action, r.Target, r.Outcome, r.Detail, r.PreviousHash];
        var length = 16;
        foreach (var field in fields)
        {
            length += 8 + (field is null ? 0 : Encoding.UTF8.GetMaxByteCount(field.Length));
        }

        var rented = length <= 1024 ? null : ArrayPool<byte>.Shared.Rent(length);
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        BinaryPrimitives.WriteInt64BigEndian(buffer, r.Sequence);
        BinaryPrimitives.WriteInt64BigEndian(buffer[8..], r.OccurredAt.UtcTicks);
        var at = 16;
        foreach (var field in fields)
        {
            var count = field is null ? 0 : Encoding.UTF8.GetBytes(field, buffer[(at + 8)..]);
            BinaryPrimitives.WriteInt64BigEndian(buffer[at..], field is null ? -1 : count);
            at += 8 + count;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer[..at], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Makes the next record after <paramref name="previous"/> (null for the first).</summary>
    public static AuditRecord Next(AuditRecord? previous, AuditEntry entry, DateTimeOffset now)
    {
        var record = new AuditRecord
        {
            Sequence = (previous?.Sequence ?? 0) + 1,
            OccurredAt = now,
            Principal = Truncate(entry.Principal, 200)!,
            Agency = entry.Agency,
            Action = entry.Action,
            Target = Truncate(entry.Target, 128),
            Outcome = entry.Outcome,
            Detail = Truncate(entry.Detail, 1000),
            PreviousHash = previous?.Hash ?? GenesisHash,
            Hash = "",
        };
        record.Hash = ComputeHash(record);
        return record;
    }

    /// <summary>Checks records in sequence order: continuous sequence, links and hashes.</summary>
    public static async Task<AuditChainReport> VerifyAsync(IAsyncEnumerable<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        var expectedPrevious = GenesisHash;
        long expectedSequence = 1, count = 0;
        await foreach (var r in records.WithCancellation(cancellationToken))
        {
            string? problem = r.Sequence != expectedSequence ? $"record {expectedSequence} is missing (found {r.Sequence} next)"
                : r.PreviousHash != expectedPrevious ? $"record {r.Sequence} does not link to its predecessor"
                : ComputeHash(r) != r.Hash ? $"record {r.Sequence} was altered after it was written"
                : null;
            if (problem is not null)
            {
                return new AuditChainReport { Intact = false, RecordsChecked = count, FirstBrokenSequence = expectedSequence, Detail = $"Chain broken: {problem}." };
            }

            count++;
            expectedSequence++;
            expectedPrevious = r.Hash;
        }

        return new AuditChainReport { Intact = true, RecordsChecked = count, Detail = $"Chain intact: {count} records checked." };
    }

    /// <summary>Checks the chain stored in a context's AuditRecords table.</summary>
    public static Task<AuditChainReport> VerifyAsync(DbContext db, CancellationToken cancellationToken = default) =>
        VerifyAsync(db.Set<AuditRecord>().AsNoTracking().OrderBy(r => r.Sequence).AsAsyncEnumerable(), cancellationToken);

    /// <summary>
    /// Adds the next audit record to the context, to be saved in the caller's transaction.
    /// Two writers that pick the same sequence collide on the primary key; the write
    /// transaction retries (see <see cref="Data.WriteTransactions"/>).
    /// </summary>
    public static async Task AppendAsync(DbContext db, AuditEntry entry, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var set = db.Set<AuditRecord>();
        var previous = set.Local.Where(r => db.Entry(r).State == EntityState.Added).MaxBy(r => r.Sequence)
            ?? await set.AsNoTracking().OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(cancellationToken);
        set.Add(Next(previous, entry, now));
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}

/// <summary>What a service wants recorded; the chain fields are filled in by <see cref="AuditChain"/>.</summary>
public sealed record AuditEntry(string Principal, string? Agency, string Action, string? Target, string Outcome, string? Detail = null);
