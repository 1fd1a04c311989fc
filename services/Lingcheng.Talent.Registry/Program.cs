using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Extensions;
using Lingcheng.Talent.Registry.Services;
using Lingcheng.Talent.ServiceDefaults;
using Lingcheng.Talent.ServiceDefaults.Hosting;

// A service that cannot start exits 1 with one line saying why (ServiceMain).
return await ServiceMain.RunAsync("registry", async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddSecretFiles(); // passwords and other secrets from mounted files (docs/operations.md §5.5)
    builder.AddServiceDefaults();
    builder.AddApplicationServices();

    var app = builder.Build();
    app.UseHealthOnlyPorts(); // Hosting:HealthOnlyPorts (Kubernetes' cleartext probe port) serves health alone
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapDefaultEndpoints();
    app.MapGrpcService<TalentRegistryGrpcService>();

    return await app.RunServiceAsync<TalentRegistryDbContext>(args);
});

/// <summary>Entry point; public so tests can host the service in process.</summary>
public partial class Program;
