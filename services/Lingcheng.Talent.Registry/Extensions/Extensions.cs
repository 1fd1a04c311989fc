using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.ServiceDefaults.Data;

namespace Lingcheng.Talent.Registry.Extensions;

/// <summary>The registry's own wiring; Program.cs stays a dozen lines.</summary>
public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<TalentRegistryDbContext, SqliteTalentRegistryDbContext, SqlServerTalentRegistryDbContext>("Registry");
        return builder;
    }
}
