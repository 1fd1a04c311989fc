using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.Verification.Agencies;
using Lingcheng.Talent.Verification.Audit;
using Lingcheng.Talent.Verification.Benefits;
using Lingcheng.Talent.Verification.CardStates;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Options;
using Lingcheng.Talent.Verification.RateLimiting;
using Lingcheng.Talent.Verification.Time;
using Lingcheng.Talent.Verification.Trust;
using Lingcheng.Talent.Verification.Verifying;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Verification.Extensions;

/// <summary>The verification service's own wiring; Program.cs stays a dozen lines.</summary>
public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<VerificationDbContext, SqliteVerificationDbContext, SqlServerVerificationDbContext>("Verification");
        var section = builder.Configuration.GetSection(VerificationOptions.Section);
        builder.Services.AddOptions<VerificationOptions>().Bind(section);

        // The clock that judges tokens and cards: the service's clock (tests replace it with one that runs ahead).
        builder.Services.AddSingleton(sp => new VerificationClock(sp.GetRequiredService<TimeProvider>(), TimeSpan.Zero));

        // Verify, Redeem and CancelRedemption also as JSON over HTTP (google.api.http annotations in the proto).
        // The type registry lets the transcoder write the details of our errors (ErrorInfo, BadRequest) as JSON;
        // without it every error carrying details became an empty HTTP 500 instead of its 400/403/404.
        builder.Services.AddGrpc().AddJsonTranscoding(o =>
            o.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(Google.Rpc.ErrorInfo.Descriptor, Google.Rpc.BadRequest.Descriptor));
        builder.Services.AddTransient<IStartupFilter, Json.JsonBodyLimit>();

        // The trust list and revocation snapshot as plain JSON for verifiers without gRPC (Json/TrustEndpoints.cs).
        builder.Services.AddSingleton<Json.TrustListPublisher>();
        builder.Services.AddSingleton<Json.RevocationSnapshotRelay>();

        // Prompt reconnect and keep-alive pings (ServiceClients): the card and usage feeds resume within ~2 s of the other service coming back.
        builder.AddServiceClient<TalentRegistryService.TalentRegistryServiceClient>("Registry");
        builder.AddServiceClient<EntitlementService.EntitlementServiceClient>("Entitlements", TimeSpan.FromSeconds(2));

        builder.Services.AddSingleton<CardStateCache>();
        builder.Services.AddSingleton<TrustListSource>();
        builder.Services.AddSingleton<TokenChecker>();
        builder.Services.AddSingleton<CardVerifier>();
        builder.Services.AddSingleton<VerificationDesk>();
        builder.Services.AddSingleton<AgencyDirectory>();
        builder.Services.AddSingleton<WalCheckpointer>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddSingleton<CardFeedConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CardFeedConsumer>());
        builder.Services.AddHostedService<TrustListRefresher>();
        builder.Services.AddSingleton<BenefitReplica>();
        builder.Services.AddSingleton<UsageFeedConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UsageFeedConsumer>());

        // Readiness also waits for the card-state and usage copies (Health/FeedReadiness.cs).
        builder.Services.AddSingleton<Health.FeedReadiness>();
        builder.Services.AddHealthChecks().AddCheck<Health.FeedReadiness>("feeds", tags: [ServiceDefaults.Hosting.Readiness.Ready]);

        builder.Services.AddTerminalRateLimiting(builder.Configuration);
        return builder;
    }
}
