using Lingcheng.Talent.ServiceDefaults.Time;
using Lingcheng.Talent.Entitlements.Redemptions;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Per-year quotas follow the calendar year in China Standard Time, with a fake clock.</summary>
public sealed class QuotaPeriodTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    private EntitlementsHost Service => host.Service;

    [Theory]
    [InlineData("2026-12-31T23:59:00+08:00", "2026")]
    [InlineData("2027-01-01T00:01:00+08:00", "2027")]
    [InlineData("2026-12-31T16:01:00+00:00", "2027")] // 00:01 CST on 1 January, still 2026 in UTC
    [InlineData("2026-12-31T15:59:00+00:00", "2026")]
    public void The_year_of_a_use_is_its_year_in_China_Standard_Time(string instant, string year) =>
        Assert.Equal(year, ChinaTime.PeriodOf(QuotaPeriod.PerCalendarYear, DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task A_use_at_2359_on_31_December_CST_and_one_at_0001_on_1_January_CST_fall_in_different_years()
    {
        // ANNUAL_HEALTH_CHECK: once per calendar year. The next New Year's Eve in Lingcheng after the real date.
        var year = ChinaTime.ToChina(Service.Clock.GetUtcNow()).Year;
        var newYearsEve = new DateTimeOffset(year, 12, 31, 23, 59, 0, Cst);
        Service.Clock.SetUtcNow(newYearsEve);
        var card = await Service.Cards.IssueAsync(Tier.D, expires: newYearsEve.AddYears(3));

        var december = await Service.RedeemAsync(card, "ANNUAL_HEALTH_CHECK", "HOSP_PEOPLE");
        Service.Clock.Advance(TimeSpan.FromSeconds(30));
        var stillDecember = await Service.RedeemAsync(card, "ANNUAL_HEALTH_CHECK", "HOSP_TCM");
        Service.Clock.SetUtcNow(new DateTimeOffset(year + 1, 1, 1, 0, 1, 0, Cst));
        var january = await Service.RedeemAsync(card, "ANNUAL_HEALTH_CHECK", "HEALTH");

        Assert.Equal((RedemptionStatus.Redeemed, year.ToString()), (december.Status, december.Redemption.Period));
        Assert.Equal(RedemptionStatus.QuotaExhausted, stillDecember.Status);
        Assert.Equal((RedemptionStatus.Redeemed, (year + 1).ToString()), (january.Status, january.Redemption.Period));
        Assert.Equal((1, 0, (year + 1).ToString()), (january.Entitlement.Used, january.Entitlement.Remaining, january.Entitlement.Period));

        var stats = await Service.Client.GetUsageStatisticsAsync(new GetUsageStatisticsRequest { Year = year, BenefitCode = "ANNUAL_HEALTH_CHECK" }, Service.AsAuditor());
        var row = Assert.Single(stats.Statistics);
        Assert.Equal(($"{year}-12", "HOSP_PEOPLE", 1L), (row.Month, row.AgencyCode, row.Redemptions));
        var next = await Service.Client.GetUsageStatisticsAsync(new GetUsageStatisticsRequest { BenefitCode = "ANNUAL_HEALTH_CHECK" }, Service.AsAuditor());
        Assert.Equal($"{year + 1}-01", Assert.Single(next.Statistics).Month);
    }
}
