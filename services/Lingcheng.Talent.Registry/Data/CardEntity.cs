using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// A card: its stored state (ACTIVE, SUSPENDED or REVOKED; EXPIRED is derived from
/// <see cref="ExpiresAt"/>), version and holder data as printed in its tokens.
/// </summary>
public sealed class CardEntity
{
    /// <summary>LC + yy + serial + check character.</summary>
    public required string CardNumber { get; set; }

    /// <summary>Two-digit year of the number; with <see cref="Serial"/> unique.</summary>
    public int Year { get; set; }

    public int Serial { get; set; }

    public required string TalentId { get; set; }

    public int Version { get; set; } = 1;

    /// <summary>Stored <c>CardState</c> value: ACTIVE, SUSPENDED or REVOKED.</summary>
    public int State { get; set; }

    public int Tier { get; set; }

    /// <summary>The holder's masked name, e.g. 张*明.</summary>
    public required string HolderDisplayName { get; set; }

    public DateTime IssuedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public int RevocationReason { get; set; }

    public string StateNote { get; set; } = "";

    public long LastEventSequence { get; set; }
}

/// <summary>Table mapping of <see cref="CardEntity"/>.</summary>
public sealed class CardEntityConfiguration : IEntityTypeConfiguration<CardEntity>
{
    public void Configure(EntityTypeBuilder<CardEntity> b)
    {
        b.ToTable("Cards");
        b.HasKey(c => c.CardNumber);
        b.Property(c => c.CardNumber).HasMaxLength(11).IsFixedLength();
        b.HasIndex(c => new { c.Year, c.Serial }).IsUnique();
        b.Property(c => c.TalentId).HasMaxLength(40);
        b.HasIndex(c => new { c.TalentId, c.State });
        b.Property(c => c.HolderDisplayName).HasMaxLength(64);
        b.Property(c => c.StateNote).HasMaxLength(500);
        b.HasIndex(c => c.LastEventSequence);
        b.HasIndex(c => new { c.State, c.Version });
        b.HasOne<TalentEntity>().WithMany().HasForeignKey(c => c.TalentId).HasPrincipalKey(t => t.TalentId).OnDelete(DeleteBehavior.Restrict);
    }
}
