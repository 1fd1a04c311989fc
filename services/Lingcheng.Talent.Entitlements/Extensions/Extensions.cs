using Lingcheng.Talent.Entitlements.Data;
using Lingcheng.Talent.ServiceDefaults.Data;

namespace Lingcheng.Talent.Entitlements.Extensions;

/// <summary>The entitlement service's own wiring; Program.cs stays a dozen lines.</summary>
public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<EntitlementDbContext, SqliteEntitlementDbContext, SqlServerEntitlementDbContext>("Entitlements");
        return builder;
    }
}
