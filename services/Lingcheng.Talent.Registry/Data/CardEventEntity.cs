using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// One card state change. <see cref="Sequence"/> is assigned as max + 1 inside the write's
/// serializable transaction; the primary key makes two writers that picked the same number
/// collide, and the write transaction retries the loser, so the sequence has no gaps.
/// </summary>
public sealed class CardEventEntity
{
    public long Sequence { get; set; }

    /// <summary><c>CardEventType</c> value.</summary>
    public int Type { get; set; }

    public required string CardNumber { get; set; }

    public int CardVersion { get; set; }

    public int State { get; set; }

    public int Tier { get; set; }

    public required string HolderDisplayName { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime OccurredAt { get; set; }

    public required string TalentId { get; set; }

    public int RevocationReason { get; set; }
}

/// <summary>Table mapping of <see cref="CardEventEntity"/>.</summary>
public sealed class CardEventEntityConfiguration : IEntityTypeConfiguration<CardEventEntity>
{
    public void Configure(EntityTypeBuilder<CardEventEntity> b)
    {
        b.ToTable("CardEvents");
        b.HasKey(e => e.Sequence);
        b.Property(e => e.Sequence).ValueGeneratedNever();
        b.Property(e => e.CardNumber).HasMaxLength(11).IsFixedLength();
        b.Property(e => e.HolderDisplayName).HasMaxLength(64);
        b.Property(e => e.TalentId).HasMaxLength(40);
        b.HasIndex(e => e.CardNumber);
    }
}
