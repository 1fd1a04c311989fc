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

/// <summary>The 18 agencies of SPEC §3.4.</summary>
public static class AgencySeed
{
    public static readonly AgencyEntity[] Agencies =
    [
        Make(1, "ORG", "中共德州市陵城区委组织部", "District Party Committee Organisation Department"),
        Make(2, "HRSS", "陵城区人力资源和社会保障局", "HR and Social Security Bureau"),
        Make(3, "EDU", "陵城区教育和体育局", "Education and Sports Bureau"),
        Make(4, "HEALTH", "陵城区卫生健康局", "Health Bureau"),
        Make(5, "HOSP_PEOPLE", "陵城区人民医院", "District People's Hospital"),
        Make(6, "HOSP_TCM", "陵城区中医院", "District Hospital of Traditional Chinese Medicine"),
        Make(7, "MEDINS", "陵城区医疗保障局", "Medical Security Bureau"),
        Make(8, "PSB", "德州市公安局陵城分局", "Public Security Sub-bureau"),
        Make(9, "HOUSING", "陵城区住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
        Make(10, "TRANSPORT", "陵城区交通运输局", "Transport Bureau"),
        Make(11, "CULTOUR", "陵城区文化和旅游局", "Culture and Tourism Bureau"),
        Make(12, "APPROVAL", "陵城区行政审批服务局", "Administrative Approval Service Bureau"),
        Make(13, "SCITECH", "陵城区科学技术局", "Science and Technology Bureau"),
        Make(14, "FINANCE", "陵城区财政局", "Finance Bureau"),
        Make(15, "FINREG", "陵城区地方金融监管局", "Local Financial Supervision Bureau"),
        Make(16, "TAX", "国家税务总局德州市陵城区税务局", "Lingcheng Tax Bureau"),
        Make(17, "UNION", "陵城区总工会", "District Federation of Trade Unions"),
        Make(18, "IIT", "陵城区工业和信息化局", "Industry and Information Technology Bureau"),
    ];

    private static AgencyEntity Make(int order, string code, string name, string english) =>
        new() { Code = code, Name = name, EnglishName = english, Active = true, SortOrder = order };
}
