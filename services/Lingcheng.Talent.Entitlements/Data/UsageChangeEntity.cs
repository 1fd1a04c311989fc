using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Entitlements.Data;

/// <summary>
/// One change of a usage counter, in commit order: the log that <c>WatchUsage</c> streams to the
/// verification replicas. Written in the same transaction as the counter, with the next sequence.
/// </summary>
public sealed class UsageChangeEntity
{
    public long Sequence { get; set; }

    public required string CardNumber { get; set; }

    public required string BenefitCode { get; set; }

    public required string Period { get; set; }

    /// <summary>The counter after the change.</summary>
    public int Used { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>Table mapping of <see cref="UsageChangeEntity"/>.</summary>
public sealed class UsageChangeEntityConfiguration : IEntityTypeConfiguration<UsageChangeEntity>
{
    public void Configure(EntityTypeBuilder<UsageChangeEntity> b)
    {
        b.ToTable("UsageChanges");
        b.HasKey(x => x.Sequence);
        b.Property(x => x.Sequence).ValueGeneratedNever();
        b.Property(x => x.CardNumber).HasMaxLength(16);
        b.Property(x => x.BenefitCode).HasMaxLength(64);
        b.Property(x => x.Period).HasMaxLength(16);
    }
}
