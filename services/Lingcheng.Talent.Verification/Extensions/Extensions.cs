using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.ServiceDefaults.Data;

namespace Lingcheng.Talent.Verification.Extensions;

/// <summary>The verification service's own wiring; Program.cs stays a dozen lines.</summary>
public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<VerificationDbContext, SqliteVerificationDbContext, SqlServerVerificationDbContext>("Verification");
        return builder;
    }
}
