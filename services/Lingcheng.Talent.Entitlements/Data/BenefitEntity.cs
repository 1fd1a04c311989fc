using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Lingcheng.Talent.Entitlements.Data;

/// <summary>A benefit of the catalogue (SPEC §3.3). Rules are data: tiers and quotas live here.</summary>
public sealed class BenefitEntity
{
    public required string Code { get; set; }

    public required string Name { get; set; }

    public required string Description { get; set; }

    /// <summary>Providing agency codes, comma-separated.</summary>
    public required string ProviderAgencyCodes { get; set; }

    /// <summary>Eligible tiers as letters, e.g. <c>ABCD</c>.</summary>
    public required string EligibleTiers { get; set; }

    public QuotaPeriod QuotaPeriod { get; set; }

    /// <summary>Uses per period; 0 when unlimited.</summary>
    public int QuotaLimit { get; set; }

    public bool Active { get; set; } = true;

    /// <summary>Catalogue order.</summary>
    public int SortOrder { get; set; }

    public long Revision { get; set; } = 1;

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Table mapping and seed of <see cref="BenefitEntity"/>.</summary>
public sealed class BenefitEntityConfiguration : IEntityTypeConfiguration<BenefitEntity>
{
    public void Configure(EntityTypeBuilder<BenefitEntity> b)
    {
        b.ToTable("Benefits");
        b.HasKey(x => x.Code);
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Description).HasMaxLength(500);
        b.Property(x => x.ProviderAgencyCodes).HasMaxLength(500);
        b.Property(x => x.EligibleTiers).HasMaxLength(4);
        b.Property(x => x.QuotaPeriod).HasConversion<int>();
        b.Property(x => x.Revision).IsConcurrencyToken();
        b.HasData(BenefitCatalogueSeed.Benefits);
    }
}

/// <summary>The 16 benefits of SPEC §3.3, as first seeded; the HR bureau edits them afterwards.</summary>
public static class BenefitCatalogueSeed
{
    private static readonly DateTimeOffset Seeded = new(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    public static readonly BenefitEntity[] Benefits =
    [
        Make(1, "MEDICAL_GREEN_CHANNEL", "就医绿色通道", "Priority registration, consultation and admission", "HOSP_PEOPLE,HOSP_TCM", "ABCD", QuotaPeriod.Unlimited, 0),
        Make(2, "ANNUAL_HEALTH_CHECK", "年度免费健康体检", "Free annual health check", "HOSP_PEOPLE,HOSP_TCM,HEALTH", "ABCD", QuotaPeriod.PerCalendarYear, 1),
        Make(3, "MEDICAL_INSURANCE_SERVICE", "医保业务优先办理", "Priority medical-insurance services", "MEDINS", "ABCD", QuotaPeriod.Unlimited, 0),
        Make(4, "CHILD_SCHOOL_ENROLMENT", "子女入学", "Children's enrolment in compulsory education", "EDU", "ABC", QuotaPeriod.PerCard, 2),
        Make(5, "CHILD_KINDERGARTEN", "子女入园", "Children's kindergarten admission", "EDU", "ABC", QuotaPeriod.PerCard, 2),
        Make(6, "SPOUSE_EMPLOYMENT", "配偶就业安置", "Employment placement for the spouse", "HRSS", "AB", QuotaPeriod.PerCard, 1),
        Make(7, "TITLE_EVALUATION_FAST_TRACK", "职称评审绿色通道", "Fast track for professional title evaluation", "HRSS", "ABCD", QuotaPeriod.PerCalendarYear, 1),
        Make(8, "TALENT_APARTMENT", "人才公寓", "Talent apartment", "HOUSING", "ABCD", QuotaPeriod.PerCard, 1),
        Make(9, "HOUSING_SUBSIDY", "购房补贴", "Home purchase subsidy", "HOUSING,FINANCE", "AB", QuotaPeriod.PerCard, 1),
        Make(10, "FREE_PUBLIC_TRANSIT", "城乡公交免费乘车", "Free urban and rural bus rides", "TRANSPORT", "ABCD", QuotaPeriod.Unlimited, 0),
        Make(11, "SCENIC_SPOT_ENTRY", "A级景区免费游览", "Free entry to A-grade scenic spots", "CULTOUR", "ABCD", QuotaPeriod.PerCalendarYear, 12),
        Make(12, "SPORTS_CULTURE_VENUES", "体育场馆、文化场馆免费或优先使用", "Free or priority use of sports and cultural venues", "EDU,CULTOUR", "ABCD", QuotaPeriod.Unlimited, 0),
        Make(13, "GOV_SERVICE_GREEN_CHANNEL", "政务服务绿色通道", "Government service green channel (一次办好)", "APPROVAL,TAX,SCITECH,IIT,ORG", "ABCD", QuotaPeriod.Unlimited, 0),
        Make(14, "HUKOU_EXIT_ENTRY", "落户与出入境证件便利", "Household registration and exit-entry documents", "PSB", "ABCD", QuotaPeriod.Unlimited, 0),
        Make(15, "TALENT_LOAN", "人才贷金融服务", "Talent loan financial services", "FINREG", "ABC", QuotaPeriod.PerCalendarYear, 1),
        Make(16, "RECUPERATION", "疗休养", "Recuperation leave", "UNION", "AB", QuotaPeriod.PerCalendarYear, 1),
    ];

    private static BenefitEntity Make(int order, string code, string name, string description, string providers, string tiers, QuotaPeriod period, int limit) => new()
    {
        Code = code,
        Name = name,
        Description = description,
        ProviderAgencyCodes = providers,
        EligibleTiers = tiers,
        QuotaPeriod = period,
        QuotaLimit = limit,
        Active = true,
        SortOrder = order,
        Revision = 1,
        UpdatedAt = Seeded,
    };
}
