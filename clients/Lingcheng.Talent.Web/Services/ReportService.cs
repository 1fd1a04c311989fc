using System.Globalization;
using System.Text;
using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Resources;
using Microsoft.Extensions.Localization;

namespace Lingcheng.Talent.Web.Services;

/// <summary>A year's report for HR and the Organisation Department: uses from GetUsageStatistics, cards from ListCards.</summary>
public sealed record UsageReport(
    int Year,
    IReadOnlyList<UsageStatistic> Rows,
    IReadOnlyDictionary<string, string> BenefitNames,
    IReadOnlyDictionary<string, string> AgencyNames,
    IReadOnlyDictionary<CardState, int> CardsByState,
    IReadOnlyList<(string Month, int Issued)> CardsIssuedByMonth)
{
    public IReadOnlyList<(string Label, long Value)> ByBenefit => Sum(r => BenefitNames.GetValueOrDefault(r.BenefitCode, r.BenefitCode));

    public IReadOnlyList<(string Label, long Value)> ByAgency => Sum(r => AgencyNames.GetValueOrDefault(r.AgencyCode, r.AgencyCode));

    public IReadOnlyList<(string Label, long Value)> ByMonth =>
        [.. Rows.GroupBy(r => r.Month).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(r => r.Redemptions)))];

    public long Total => Rows.Sum(r => r.Redemptions);

    /// <summary>The rows as CSV (UTF-8 with a BOM, so Excel and WPS on Chinese Windows open it as such).</summary>
    public byte[] ToCsv()
    {
        var csv = new StringBuilder("month,benefit_code,benefit,agency_code,agency,uses,cancelled\r\n");
        foreach (var r in Rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Month},{r.BenefitCode},{Quote(BenefitNames.GetValueOrDefault(r.BenefitCode, ""))},{r.AgencyCode},{Quote(AgencyNames.GetValueOrDefault(r.AgencyCode, ""))},{r.Redemptions},{r.Cancellations}\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    private IReadOnlyList<(string Label, long Value)> Sum(Func<UsageStatistic, string> key) =>
        [.. Rows.GroupBy(key).Select(g => (g.Key, g.Sum(r => r.Redemptions))).OrderByDescending(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal)];

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>Reads the reports of <c>/hr/reports</c> with the signed-in officer's or auditor's token.</summary>
public sealed class ReportService(TalentClients clients, AgencyDirectory agencies, IStringLocalizer<SharedResource> text)
{
    public async Task<Outcome<UsageReport>> ReadAsync(WebUser user, int year, CancellationToken cancellationToken)
    {
        if (year == 0)
        {
            year = Lingcheng.Talent.ServiceDefaults.Time.ChinaTime.ToChina(DateTimeOffset.UtcNow).Year;
        }

        try
        {
            var usage = await clients.Entitlements.GetUsageStatisticsAsync(new GetUsageStatisticsRequest { Year = year }, user.Call(cancellationToken));
            var benefits = await clients.Entitlements.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 100, IncludeInactive = true }, user.Call(cancellationToken));
            var agencyNames = (await agencies.AllAsync(user, cancellationToken)).ToDictionary(a => a.Code, a => a.Name, StringComparer.Ordinal);

            var byState = new Dictionary<CardState, int>();
            var issued = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var request = new ListCardsRequest { PageSize = 200 };
            do
            {
                var page = await clients.Registry.ListCardsAsync(request, user.Call(cancellationToken));
                foreach (var card in page.Cards)
                {
                    byState[card.State] = byState.GetValueOrDefault(card.State) + 1;
                    var month = ChinaTimes.Month(card.IssueTime.ToDateTimeOffset());
                    issued[month] = issued.GetValueOrDefault(month) + 1;
                }

                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            return new Outcome<UsageReport>(new UsageReport(
                year,
                usage.Statistics,
                benefits.Benefits.ToDictionary(b => b.Code, b => b.Name, StringComparer.Ordinal),
                agencyNames,
                byState,
                [.. issued.Select(kv => (kv.Key, kv.Value))]), null);
        }
        catch (RpcException ex)
        {
            return new Outcome<UsageReport>(null, ServiceProblem.From(ex, text));
        }
    }
}
