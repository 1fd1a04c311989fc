using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Entitlements.Data;

/// <summary>
/// One version of a benefit's rules, kept for ever: the seed is revision 1, every UpdateBenefit adds
/// the next. Answers "what were the rules when this use was recorded?" without reading the audit.
/// </summary>
public sealed class BenefitRevisionEntity
{
    public required string Code { get; set; }

    public long Revision { get; set; }

    public required string Name { get; set; }

    public required string Description { get; set; }

    /// <summary>Providing agency codes, comma-separated.</summary>
    public required string ProviderAgencyCodes { get; set; }

    /// <summary>Eligible tiers as letters, e.g. <c>ABCD</c>.</summary>
    public required string EligibleTiers { get; set; }

    public QuotaPeriod QuotaPeriod { get; set; }

    public int QuotaLimit { get; set; }

    public bool Active { get; set; }

    /// <summary>Who made the change (audit principal), <c>seed</c> for revision 1.</summary>
    public required string ChangedBy { get; set; }

    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>The client request id of the UpdateBenefit call; null for the seed.</summary>
    public string? RequestId { get; set; }

    /// <summary>The update mask paths that were applied, comma-separated.</summary>
    public string? ChangedFields { get; set; }

    /// <summary>A snapshot of <paramref name="b"/> as revision <see cref="BenefitEntity.Revision"/>.</summary>
    public static BenefitRevisionEntity From(BenefitEntity b, string changedBy, DateTimeOffset at, string? requestId, string? changedFields) => new()
    {
        Code = b.Code,
        Revision = b.Revision,
        Name = b.Name,
        Description = b.Description,
        ProviderAgencyCodes = b.ProviderAgencyCodes,
        EligibleTiers = b.EligibleTiers,
        QuotaPeriod = b.QuotaPeriod,
        QuotaLimit = b.QuotaLimit,
        Active = b.Active,
        ChangedBy = changedBy,
        ChangedAt = at,
        RequestId = requestId,
        ChangedFields = changedFields,
    };
}

/// <summary>Table mapping of <see cref="BenefitRevisionEntity"/>, seeded with revision 1 of the 16 benefits.</summary>
public sealed class BenefitRevisionEntityConfiguration : IEntityTypeConfiguration<BenefitRevisionEntity>
{
    public void Configure(EntityTypeBuilder<BenefitRevisionEntity> b)
    {
        b.ToTable("BenefitRevisions");
        b.HasKey(x => new { x.Code, x.Revision });
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.ProviderAgencyCodes).HasMaxLength(500);
        b.Property(x => x.EligibleTiers).HasMaxLength(4);
        b.Property(x => x.QuotaPeriod).HasConversion<int>();
        b.Property(x => x.ChangedBy).HasMaxLength(200);
        b.Property(x => x.RequestId).HasMaxLength(64);
        b.Property(x => x.ChangedFields).HasMaxLength(200);
        b.HasData(BenefitCatalogueSeed.Benefits.Select(x => BenefitRevisionEntity.From(x, "seed", x.UpdatedAt, null, null)));
    }
}
