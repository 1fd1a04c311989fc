namespace Lingcheng.Talent.Rules.Benefits;

/// <summary>One of the 18 agencies that verify cards and record uses (docs/requirements.md §3.4).</summary>
public sealed record Agency(int Order, string Code, string Name, string EnglishName);

/// <summary>
/// The agencies as the system is delivered: the verification service seeds its table from this list
/// and the identity provider checks a desk account's agency against it.
/// </summary>
public static class Agencies
{
    public static readonly IReadOnlyList<Agency> All =
    [
        new(1, "ORG", "中共德州市陵城区委组织部", "District Party Committee Organisation Department"),
        new(2, "HRSS", "陵城区人力资源和社会保障局", "HR and Social Security Bureau"),
        new(3, "EDU", "陵城区教育和体育局", "Education and Sports Bureau"),
        new(4, "HEALTH", "陵城区卫生健康局", "Health Bureau"),
        new(5, "HOSP_PEOPLE", "陵城区人民医院", "District People's Hospital"),
        new(6, "HOSP_TCM", "陵城区中医院", "District Hospital of Traditional Chinese Medicine"),
        new(7, "MEDINS", "陵城区医疗保障局", "Medical Security Bureau"),
        new(8, "PSB", "德州市公安局陵城分局", "Public Security Sub-bureau"),
        new(9, "HOUSING", "陵城区住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
        new(10, "TRANSPORT", "陵城区交通运输局", "Transport Bureau"),
        new(11, "CULTOUR", "陵城区文化和旅游局", "Culture and Tourism Bureau"),
        new(12, "APPROVAL", "陵城区行政审批服务局", "Administrative Approval Service Bureau"),
        new(13, "SCITECH", "陵城区科学技术局", "Science and Technology Bureau"),
        new(14, "FINANCE", "陵城区财政局", "Finance Bureau"),
        new(15, "FINREG", "陵城区地方金融监管局", "Local Financial Supervision Bureau"),
        new(16, "TAX", "国家税务总局德州市陵城区税务局", "Lingcheng Tax Bureau"),
        new(17, "UNION", "陵城区总工会", "District Federation of Trade Unions"),
        new(18, "IIT", "陵城区工业和信息化局", "Industry and Information Technology Bureau"),
    ];

    public static bool IsKnown(string code) => All.Any(a => a.Code == code);
}
