using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Entitlements.Data;

/// <summary>
/// One recorded use of a benefit. The redemption id is the primary key, so a redemption id is
/// stored at most once whatever the concurrency (exactly-once, SPEC §7.2). Only successful uses are
/// stored; refusals leave only an audit record.
/// </summary>
public sealed class RedemptionEntity
{
    /// <summary>Client-chosen, globally unique (1–64 printable ASCII characters).</summary>
    public required string RedemptionId { get; set; }

    /// <summary>The card line.</summary>
    public required string CardNumber { get; set; }

    /// <summary>The card version of the token presented.</summary>
    public int CardVersion { get; set; }

    public required string BenefitCode { get; set; }

    public required string AgencyCode { get; set; }

    public string TerminalId { get; set; } = "";

    /// <summary>UTC. A <see cref="DateTime"/> rather than DateTimeOffset so SQLite can order and compare it.</summary>
    public DateTime RedeemTimeUtc { get; set; }

    /// <summary>The quota period counted against: <c>2026</c>, <c>card</c>, or empty when unlimited.</summary>
    public string Period { get; set; } = "";

    /// <summary>Calendar month of the use in China Standard Time, <c>YYYY-MM</c> (statistics).</summary>
    public required string CstMonth { get; set; }

    /// <summary>Calendar year of the use in China Standard Time (statistics filter).</summary>
    public int CstYear { get; set; }

    /// <summary>Who asked for it (audit principal of the calling service).</summary>
    public required string RecordedBy { get; set; }

    public bool Cancelled { get; set; }

    public DateTime? CancelTimeUtc { get; set; }

    public string? CancelReason { get; set; }
}

/// <summary>Table mapping of <see cref="RedemptionEntity"/>.</summary>
public sealed class RedemptionEntityConfiguration : IEntityTypeConfiguration<RedemptionEntity>
{
    public void Configure(EntityTypeBuilder<RedemptionEntity> b)
    {
        b.ToTable("Redemptions");
        b.HasKey(x => x.RedemptionId);
        b.Property(x => x.RedemptionId).HasMaxLength(64);
        b.Property(x => x.CardNumber).HasMaxLength(16);
        b.Property(x => x.BenefitCode).HasMaxLength(64);
        b.Property(x => x.AgencyCode).HasMaxLength(32);
        b.Property(x => x.TerminalId).HasMaxLength(64);
        b.Property(x => x.Period).HasMaxLength(16);
        b.Property(x => x.CstMonth).HasMaxLength(7).IsFixedLength();
        b.Property(x => x.RecordedBy).HasMaxLength(200);
        b.Property(x => x.CancelReason).HasMaxLength(500);
        b.HasIndex(x => new { x.CardNumber, x.RedeemTimeUtc });
        b.HasIndex(x => new { x.CstYear, x.BenefitCode, x.AgencyCode });
    }
}

/// <summary>
/// The quota counter of one card line, benefit and period: how many uses count against the quota.
/// Redeem raises it with a conditional UPDATE (<c>used &lt; limit</c>), cancel lowers it; both in the
/// transaction that writes the redemption, so the counter always equals the live redemptions.
/// </summary>
public sealed class UsageCounterEntity
{
    public required string CardNumber { get; set; }

    public required string BenefitCode { get; set; }

    /// <summary><c>2026</c> (CST calendar year) or <c>card</c>.</summary>
    public required string Period { get; set; }

    public int Used { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Table mapping of <see cref="UsageCounterEntity"/>.</summary>
public sealed class UsageCounterEntityConfiguration : IEntityTypeConfiguration<UsageCounterEntity>
{
    public void Configure(EntityTypeBuilder<UsageCounterEntity> b)
    {
        b.ToTable("UsageCounters");
        b.HasKey(x => new { x.CardNumber, x.BenefitCode, x.Period });
        b.Property(x => x.CardNumber).HasMaxLength(16);
        b.Property(x => x.BenefitCode).HasMaxLength(64);
        b.Property(x => x.Period).HasMaxLength(16);
    }
}
