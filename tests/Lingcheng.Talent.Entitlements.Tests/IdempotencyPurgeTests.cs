using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Tests;

/// <summary>Old idempotency rows are purged after the retention period, on the service's clock (issue 25, item 8).</summary>
public sealed class IdempotencyPurgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Idempotency_rows_older_than_the_retention_are_purged_and_newer_ones_kept()
    {
        await using var service = new EntitlementsHost(new Dictionary<string, string?>
        {
            ["Entitlements:IdempotencyRetention"] = "1.00:00:00",
            ["Entitlements:IdempotencyPurgeInterval"] = "00:10:00",
        });
        var old = await UpdateAsync(service, 3);
        service.Clock.Advance(TimeSpan.FromHours(23));
        var recent = await UpdateAsync(service, 4);
        service.Clock.Advance(TimeSpan.FromHours(2)); // old: 25 h, recent: 2 h

        // The purge runs every 10 minutes of the service's clock; a few more ticks age "recent" by under an hour.
        for (var tick = 0; tick < 50 && (await RequestIdsAsync(service)).Contains(old); tick++)
        {
            await Task.Delay(100, Ct);
            service.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        var left = await RequestIdsAsync(service);
        Assert.DoesNotContain(old, left);
        Assert.Contains(recent, left);
    }

    private static async Task<string> UpdateAsync(EntitlementsHost service, int limit)
    {
        var request = new UpdateBenefitRequest
        {
            RequestId = "upd-" + Guid.NewGuid().ToString("N"),
            Benefit = new Benefit { Code = "TITLE_EVALUATION_FAST_TRACK", QuotaLimit = limit },
            UpdateMask = new FieldMask { Paths = { "quota_limit" } },
        };
        await service.Client.UpdateBenefitAsync(request, service.AsHrOfficer());
        return request.RequestId;
    }

    private static async Task<List<string>> RequestIdsAsync(EntitlementsHost service)
    {
        await using var db = service.OpenDatabase();
        return await db.IdempotencyRecords.AsNoTracking().Select(r => r.RequestId).ToListAsync(Ct);
    }
}
