using Lingcheng.Talent.Identity.Admin;
using Lingcheng.Talent.Identity.Connect;
using Lingcheng.Talent.Identity.Data;
using Lingcheng.Talent.Identity.Extensions;
using Lingcheng.Talent.Identity.Pages.Account;
using Lingcheng.Talent.ServiceDefaults;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Hosting;

// The built-in OpenID Connect provider (docs/identity.md). Exits 1 with one line when it cannot start.
return await ServiceMain.RunAsync("identity", async () =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddSecretFiles(); // passwords and other secrets from mounted files (docs/operations.md §5.5)
    builder.AddIdentityProvider();

    var app = builder.Build();
    app.UseHealthOnlyPorts(); // Hosting:HealthOnlyPorts (Kubernetes' cleartext probe port) serves health alone
    app.UseStatusCodePages();
    app.UseRouting();
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapRazorPages();
    app.MapConnectEndpoints();
    app.MapFederation();
    app.MapAccountAdmin();
    app.MapIdentityHealth();

    if (args.FirstOrDefault() == FirstOfficer.Command)
    {
        await app.Services.MigrateAsync<IdentityDb>();
        return await FirstOfficer.RunAsync(app.Services, args);
    }

    return await app.RunServiceAsync<IdentityDb>(args);
});

/// <summary>Entry point; public so tests can host the provider in process.</summary>
public partial class Program;
