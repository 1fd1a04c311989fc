using System.Globalization;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Services;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Localization;

namespace Lingcheng.Talent.Web.Extensions;

/// <summary>The web app's wiring, so Program.cs stays short (after eShop's WebApp).</summary>
public static class Extensions
{
    /// <summary>The languages offered; the first is the default (SPEC §9: Simplified Chinese).</summary>
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    /// <summary>The data-protection keys' folder: <c>DataProtection:KeysDirectory</c>, else <c>{DataDirectory}/web-data-protection</c>.</summary>
    public static string KeysDirectory(IConfiguration configuration) =>
        configuration["DataProtection:KeysDirectory"] is { Length: > 0 } folder
            ? Path.GetFullPath(folder)
            : Path.Combine(AuthExtensions.DataDirectory(configuration), "web-data-protection");

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.AddWebAuthentication();

        // The session cookie, the sign-in's correlation state and the forms are sealed with ASP.NET Core data
        // protection. Its keys live in a folder (KeysDirectory below), so a restarted web app still reads the
        // cookies it issued (a desk stays signed in) and replicas sharing the folder read each other's.
        builder.Services.AddDataProtection()
            .SetApplicationName("lingcheng-web")
            .PersistKeysToFileSystem(new DirectoryInfo(KeysDirectory(builder.Configuration)));
        builder.Services.AddLocalization();
        builder.Services.AddHealthChecks();
        builder.Services.AddHostedService<ParentProcessWatcher>();
        builder.Services.AddSingleton(TimeProvider.System);

        // One set of channels for the whole app; each call carries the signed-in user's token (WebUser.Call).
        var services = builder.Configuration.GetSection("Services");
        builder.Services.AddSingleton(_ => new TalentClients(new TalentClientOptions
        {
            RegistryAddress = new Uri(services["Registry"] ?? TalentClientOptions.DefaultRegistryAddress),
            EntitlementsAddress = new Uri(services["Entitlements"] ?? TalentClientOptions.DefaultEntitlementsAddress),
            VerificationAddress = new Uri(services["Verification"] ?? TalentClientOptions.DefaultVerificationAddress),
        }));

        builder.Services.Configure<DeskOptions>(builder.Configuration.GetSection("Desk"));
        builder.Services.AddSingleton<AgencyDirectory>();
        builder.Services.AddSingleton<TerminalDesks>();
        builder.Services.AddScoped<DeskService>();
        builder.Services.AddScoped<CardService>();
        builder.Services.AddScoped<HrService>();
        builder.Services.AddScoped<ReportService>();

        // Accounts live in the identity provider; its account API takes the signed-in officer's token.
        builder.Services.AddSingleton(IdentityProviderAddress.From(builder.Configuration));
        builder.Services.AddHttpClient<AccountService>(http => http.Timeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton<Services.Import.TalentImports>();
        builder.Services.Configure<CardOptions>(builder.Configuration.GetSection("Card"));
        // Pages are compressed over plain HTTP only (the default): over HTTPS a compressed page that holds
        // a secret (an antiforgery token, a live QR) beside text from the address is open to BREACH.
        // Static files are served precompressed either way.
        builder.Services.AddResponseCompression();
        return builder;
    }

    public static WebApplication UseWebPipeline(this WebApplication app)
    {
        Lingcheng.Talent.ServiceDefaults.Hosting.HealthOnlyPorts.UseHealthOnlyPorts(app); // the cleartext probe port serves /health alone
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.UseResponseCompression();
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRequestLocalization(options =>
        {
            options.DefaultRequestCulture = new RequestCulture(Cultures[0]);
            options.SupportedCultures = Cultures;
            options.SupportedUICultures = Cultures;

            // The language is the user's choice (the switch in the header), not the browser's.
            options.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });
        app.UseAuthentication();
        app.UseAuthorization();

        // Every write of the HR console is a form post under /hr; auditors read the same pages, so a
        // post from anyone but an HR officer is refused here, whatever form it claims to be.
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/hr")
                && !context.User.IsInRole(Lingcheng.Talent.Auth.Roles.HrOfficer))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            await next(context);
        });
        app.UseAntiforgery();
        app.MapStaticAssets();
        return app;
    }

    public static WebApplication MapWebEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapSignInEndpoints(WebAuthentication.UsesDevelopmentSignIn(app.Environment, app.Configuration));
        app.MapCameraFrames();
        app.MapCardEndpoints();
        app.MapGet("/hr/reports.csv", async (HttpContext context, ReportService reports, int? year) =>
        {
            var report = await reports.ReadAsync(Auth.WebUser.From(context.User)!, year ?? 0, context.RequestAborted);
            return report.Value is { } value
                ? Results.File(value.ToCsv(), "text/csv; charset=utf-8", $"lingcheng-usage-{value.Year}.csv")
                : Results.Problem(report.Problem!.Message, statusCode: StatusCodes.Status502BadGateway);
        }).RequireAuthorization(Policies.HrRead);
        app.MapGet("/hr/import/{id}/progress", (string id, Services.Import.TalentImports imports, Microsoft.Extensions.Localization.IStringLocalizer<Resources.SharedResource> text) =>
            imports.Find(id) is { } job
                ? Results.Ok(new
                {
                    done = job.Done,
                    total = job.Total,
                    finished = job.Finished,
                    status = text["Import.Status", job.Done, job.Total, job.RowsPerSecond.ToString("F0", CultureInfo.InvariantCulture), job.TimeLeft is { } left ? left.ToString(@"m\:ss", CultureInfo.InvariantCulture) : "—"].Value,
                })
                : Results.NotFound()).RequireAuthorization(Policies.Hr);
        app.MapGet("/hr/import/{id}/result.csv", (string id, Services.Import.TalentImports imports) =>
            imports.Find(id) is { Finished: true } job
                ? Results.File(job.ResultCsv(), "text/csv; charset=utf-8", $"import-result-{id[..8]}.csv")
                : Results.NotFound()).RequireAuthorization(Policies.Hr);
        return app;
    }
}
