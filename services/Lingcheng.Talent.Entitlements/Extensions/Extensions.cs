using Lingcheng.Talent.Entitlements.Cards;
using Lingcheng.Talent.Entitlements.Catalogue;
using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.Entitlements.Redemptions;
using Lingcheng.Talent.Entitlements.Usage;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Entitlements.Extensions;

/// <summary>The entitlement service's own wiring; Program.cs stays a dozen lines.</summary>
public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<EntitlementDbContext, SqliteEntitlementDbContext, SqlServerEntitlementDbContext>("Entitlements");

        // The registry: its event feed (a stream without deadline) and GetCard for cards not seen yet.
        builder.AddServiceClient<TalentRegistryService.TalentRegistryServiceClient>("Registry");
        builder.Services.AddSingleton<ICardLookup, RegistryCardLookup>();
        builder.Services.AddSingleton<CardFeedStatus>();
        builder.Services.AddSingleton<CardStateStore>();
        builder.Services.AddHostedService<CardEventConsumer>();

        builder.Services.AddScoped<BenefitCatalogue>();
        builder.Services.AddScoped<RedemptionLedger>();
        builder.Services.AddScoped<EntitlementReader>();

        // The usage feed the verification replicas keep their copy of benefits and counters from.
        builder.Services.AddSingleton<CommitSignal>();
        builder.Services.AddSingleton<UsageFeed>();

        // Idempotency records are kept only as long as a retry needs them.
        builder.Services.AddHostedService<IdempotencyPurge>();
        return builder;
    }
}
