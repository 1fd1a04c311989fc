using System.Security.Cryptography;
using Google.Protobuf;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.ServiceDefaults.Data;

/// <summary>
/// The first response to a client request id (SPEC §3.2: a retry with the same id returns the
/// first result and changes nothing). Stored in the same transaction as the write it answers.
/// </summary>
public sealed class IdempotencyRecord
{
    public required string Operation { get; set; }

    public required string RequestId { get; set; }

    /// <summary>SHA-256 of the serialized request, to refuse reuse of an id for a different request.</summary>
    public required byte[] RequestHash { get; set; }

    /// <summary>The serialized protobuf response.</summary>
    public required byte[] Response { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Table mapping of <see cref="IdempotencyRecord"/>.</summary>
public sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("IdempotencyRecords");
        b.HasKey(r => new { r.Operation, r.RequestId });
        b.Property(r => r.Operation).HasMaxLength(64);
        b.Property(r => r.RequestId).HasMaxLength(64);
        b.Property(r => r.RequestHash).HasMaxLength(32);
    }
}

/// <summary>Looks up and records idempotent responses.</summary>
public static class Idempotency
{
    /// <summary>
    /// The stored response for this request id, or null when it is new. INVALID_ARGUMENT when the
    /// id was already used for a different request.
    /// </summary>
    public static async Task<TResponse?> FindAsync<TResponse>(DbContext db, string operation, string requestId, IMessage request, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>, new()
    {
        var record = await db.Set<IdempotencyRecord>().AsNoTracking()
            .FirstOrDefaultAsync(r => r.Operation == operation && r.RequestId == requestId, cancellationToken);
        if (record is null)
        {
            return null;
        }

        if (!record.RequestHash.AsSpan().SequenceEqual(Hash(request)))
        {
            throw RpcErrors.InvalidArgument("request_id", "was already used for a different request; use a new request id");
        }

        var response = new TResponse();
        response.MergeFrom(record.Response);
        return response;
    }

    /// <summary>Adds the response to the context, to be saved with the write.</summary>
    public static void Add(DbContext db, string operation, string requestId, IMessage request, IMessage response, DateTimeOffset now) =>
        db.Set<IdempotencyRecord>().Add(new IdempotencyRecord
        {
            Operation = operation,
            RequestId = requestId,
            RequestHash = Hash(request),
            Response = response.ToByteArray(),
            CreatedAt = now,
        });

    private static byte[] Hash(IMessage request) => SHA256.HashData(request.ToByteArray());
}
