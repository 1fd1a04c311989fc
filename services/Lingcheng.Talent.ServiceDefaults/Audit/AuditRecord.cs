using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.DependencyInjection;

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
    public static Task<AuditChainReport> VerifyAsync(IAsyncEnumerable<AuditRecord> records, CancellationToken cancellationToken = default) =>
        VerifyAsync(records, [], cancellationToken);

    /// <summary>
    /// Checks records in sequence order — continuous sequence, links and hashes — and against signed checkpoints
    /// (issue 25, item 6), which a table rewritten with fresh hashes, or cut short, no longer matches: the record at
    /// a checkpoint's sequence must carry its hash, and the chain must reach the last checkpoint. With
    /// <paramref name="from"/> above 1 the records start there and the first one's link is not checked (the
    /// checkpointer's look at what was added since its last checkpoint).
    /// </summary>
    public static async Task<AuditChainReport> VerifyAsync(
        IAsyncEnumerable<AuditRecord> records, IReadOnlyList<AuditCheckpoint> checkpoints, CancellationToken cancellationToken = default, long from = 1,
        string? previousHash = null, Action<AuditRecord>? seen = null)
    {
        var anchors = checkpoints.Where(c => c.Sequence >= from).OrderBy(c => c.Sequence).ToList();
        string? expectedPrevious = from == 1 ? GenesisHash : previousHash;
        long expectedSequence = from, count = 0, matched = from - 1;
        var next = 0;
        await foreach (var r in records.WithCancellation(cancellationToken))
        {
            string? problem = r.Sequence != expectedSequence ? $"record {expectedSequence} is missing (found {r.Sequence} next)"
                : expectedPrevious is not null && r.PreviousHash != expectedPrevious ? $"record {r.Sequence} does not link to its predecessor"
                : ComputeHash(r) != r.Hash ? $"record {r.Sequence} was altered after it was written"
                : null;
            if (problem is not null)
            {
                return Broken(expectedSequence, count, $"Chain broken: {problem}.", next);
            }

            for (; next < anchors.Count && anchors[next].Sequence == r.Sequence; next++)
            {
                if (anchors[next].Hash != r.Hash)
                {
                    return Broken(matched + 1, count, $"Chain rewritten: record {r.Sequence} is not the one the checkpoint signed at {anchors[next].SignedAt:u} vouches for; " +
                        $"records {matched + 1} to {r.Sequence} were changed and their hashes computed again.", next);
                }

                matched = r.Sequence;
            }

            count++;
            expectedSequence++;
            expectedPrevious = r.Hash;
            seen?.Invoke(r);
        }

        if (next < anchors.Count)
        {
            var last = anchors[^1];
            return Broken(expectedSequence, count, $"Chain cut short: it ends at record {expectedSequence - 1}, but the checkpoint signed at {last.SignedAt:u} vouches for " +
                $"{last.Sequence} records; records from {expectedSequence} on were deleted.", next);
        }

        var anchored = anchors.Count == 0 ? "" : $", matching {anchors.Count} signed checkpoints (the last at record {anchors[^1].Sequence}, signed at {anchors[^1].SignedAt:u})";
        return new AuditChainReport { Intact = true, RecordsChecked = count, CheckpointsChecked = anchors.Count, Detail = $"Chain intact: {count} records checked{anchored}." };
    }

    private static AuditChainReport Broken(long sequence, long count, string detail, int checkpointsChecked) =>
        new() { Intact = false, RecordsChecked = count, FirstBrokenSequence = sequence, CheckpointsChecked = checkpointsChecked, Detail = detail };

    /// <summary>Checks the chain stored in a context's AuditRecords table (without checkpoints).</summary>
    public static Task<AuditChainReport> VerifyAsync(DbContext db, CancellationToken cancellationToken = default) =>
        VerifyAsync(db.Set<AuditRecord>().AsNoTracking().OrderBy(r => r.Sequence).AsAsyncEnumerable(), cancellationToken);

    /// <summary>
    /// What <c>VerifyAuditChain</c> answers: the chain in the context's AuditRecords table checked against the
    /// service's signed checkpoints (<see cref="AuditCheckpoints"/>), with the latest one for the caller to keep
    /// elsewhere. A checkpoint line that is not one, or whose signature does not verify, is itself reported.
    /// </summary>
    public static async Task<AuditChainReport> VerifyAsync(DbContext db, ServerCallContext context)
    {
        var store = context.GetHttpContext().RequestServices.GetService<AuditCheckpoints>();
        if (store?.Key is not { } key)
        {
            return await VerifyAsync(db, context.CancellationToken);
        }

        var chain = AuditCheckpoints.ChainOf(db);
        var (checkpoints, unreadable) = store.Read(chain);
        var forged = checkpoints.Where(c => !key.Verifies(c)).ToList();
        if (unreadable > 0 || forged.Count > 0)
        {
            return new AuditChainReport
            {
                Intact = false,
                FirstBrokenSequence = forged.Count > 0 ? forged.Min(c => c.Sequence) : 0,
                Detail = $"Checkpoints tampered with: {unreadable + forged.Count} entries of {chain}.checkpoints are not checkpoints signed with this service's checkpoint key " +
                    $"(key {key.KeyId}); the file was edited or the key replaced.",
            };
        }

        var report = await IncrementalAuditCheck.VerifyAsync(db, chain, store, checkpoints, context.GetHttpContext().RequestServices, context.CancellationToken);
        if (checkpoints.MaxBy(c => c.Sequence) is { } last)
        {
            report.LastCheckpoint = last.ToProto(key.PublicKey);
        }

        return report;
    }

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
