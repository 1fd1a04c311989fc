using Lingcheng.Talent.ServiceDefaults;
using Lingcheng.Talent.Web.Auth;
using Lingcheng.Talent.Web.Components;
using Lingcheng.Talent.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
if (WebAuthentication.ConfigurationError(builder.Environment, builder.Configuration) is { } error)
{
    Console.Error.WriteLine("Lingcheng.Talent.Web cannot start: " + error);
    return 1;
}

builder.AddLoggingAndTelemetry();
builder.AddApplicationServices();

var app = builder.Build();
app.UseWebPipeline();
app.MapWebEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

return await app.RunUntilStoppedAsync();

/// <summary>Entry point; public so tests can host the app in process.</summary>
public partial class Program;
