using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Registry.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Events;
using Lingcheng.Talent.Registry.Keys;
using Lingcheng.Talent.Registry.Protection;
using Lingcheng.Talent.Registry.Talents;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Registry.Extensions;

/// <summary>The registry's own wiring; Program.cs stays a dozen lines.</summary>
public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<TalentRegistryDbContext, SqliteTalentRegistryDbContext, SqlServerTalentRegistryDbContext>("Registry");
        builder.Services.Configure<RegistryOptions>(builder.Configuration.GetSection("Registry"));
        builder.Services.AddSingleton(sp => PersonalDataProtector.Load(
            builder.Configuration, sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<IOptions<RegistryOptions>>().Value));
        builder.Services.AddSingleton(sp => SigningKeyProtector.Load(
            builder.Configuration, sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<IOptions<RegistryOptions>>().Value,
            sp.GetRequiredService<PersonalDataProtector>()));
        builder.Services.AddSingleton(sp => new CardTokenIssuer(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<WriteGate>();
        builder.Services.AddSingleton<KeyRing>();
        builder.Services.AddSingleton<CommitSignal>();
        builder.Services.AddSingleton<CardEventFeed>();
        builder.Services.AddSingleton<IssueBatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IssueBatcher>());
        builder.Services.AddScoped<CardLifecycle>();
        builder.Services.AddScoped<TalentDirectory>();
        builder.Services.AddHostedService<KeyRingWarmUp>();
        builder.Services.AddHostedService<IdempotencyPurge>();
        return builder;
    }
}

/// <summary>
/// Loads the personal-data key, the signing-key KEK and the signing key ring at start, so a missing key stops the
/// service at once (not at its first request) and the first request does not pay for key generation.
/// </summary>
internal sealed class KeyRingWarmUp(PersonalDataProtector protector, SigningKeyProtector kek, KeyRing keys) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(protector);
        GC.KeepAlive(kek);
        await keys.GetActiveKeyAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
