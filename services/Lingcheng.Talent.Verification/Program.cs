using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Extensions;
using Lingcheng.Talent.Verification.Json;
using Lingcheng.Talent.Verification.Services;
using Lingcheng.Talent.ServiceDefaults;
using Lingcheng.Talent.ServiceDefaults.Hosting;

// A service that cannot start exits 1 with one line saying why (ServiceMain).
return await ServiceMain.RunAsync("verification", async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddSecretFiles(); // passwords and other secrets from mounted files (docs/operations.md §5.5)
    builder.AddServiceDefaults();
    builder.AddApplicationServices();

    var app = builder.Build();
    app.UseHealthOnlyPorts(); // Hosting:HealthOnlyPorts (Kubernetes' cleartext probe port) serves health alone
    app.UseAuthentication();
    app.UseRateLimiter(); // partitions by the authenticated terminal, so after authentication
    app.UseAuthorization();
    app.MapDefaultEndpoints();
    app.MapGrpcService<VerificationGrpcService>();
    app.MapTrustEndpoints(); // GET /v1/trust-list and /v1/revocation-snapshot, plain JSON

    return await app.RunServiceAsync<VerificationDbContext>(args);
});

/// <summary>Entry point; public so tests can host the service in process.</summary>
public partial class Program;
