using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Verification.Data;

/// <summary>A participating agency (SPEC §3.4). Its code is the <c>agency</c> claim of its terminals' tokens.</summary>
public sealed class AgencyEntity
{
    public required string Code { get; set; }

    public required string Name { get; set; }

    public required string EnglishName { get; set; }

    public bool Active { get; set; } = true;

    public int SortOrder { get; set; }
}

/// <summary>Table mapping and seed of <see cref="AgencyEntity"/>.</summary>
public sealed class AgencyEntityConfiguration : IEntityTypeConfiguration<AgencyEntity>
{
    public void Configure(EntityTypeBuilder<AgencyEntity> b)
    {
        b.ToTable("Agencies");
        b.HasKey(x => x.Code);
        b.Property(x => x.Code).HasMaxLength(32);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.EnglishName).HasMaxLength(200);
        b.HasData(AgencySeed.Agencies);
    }
}

/// <summary>The 18 agencies of docs/requirements.md §3.4, as the table is seeded.</summary>
public static class AgencySeed
{
    public static readonly AgencyEntity[] Agencies = Lingcheng.Talent.Rules.Benefits.Agencies.All
        .Select(a => new AgencyEntity { Code = a.Code, Name = a.Name, EnglishName = a.EnglishName, Active = true, SortOrder = a.Order })
        .ToArray();
}
