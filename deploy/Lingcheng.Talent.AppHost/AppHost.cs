// Starts the three services and the web app on the ports of SPEC §8 with SQLite files in <repo>/data and the
// Aspire dashboard. Aspire reads each service's Kestrel endpoints (Grpc, and Http for the
// verification service's JSON API) from its appsettings.json; they are not proxied, because
// Aspire's proxy carries cleartext gRPC, but slowly (docs/requirements.md §10).
var builder = DistributedApplication.CreateBuilder(args);

var repoRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
var dataDirectory = builder.Configuration["DataDirectory"] ?? Path.Combine(repoRoot, "data");

builder.AddProject<Projects.Lingcheng_Talent_Registry>("registry", launchProfileName: null)
    .AsTalentService(dataDirectory);

builder.AddProject<Projects.Lingcheng_Talent_Entitlements>("entitlements", launchProfileName: null)
    .AsTalentService(dataDirectory);

builder.AddProject<Projects.Lingcheng_Talent_Verification>("verification", launchProfileName: null)
    .AsTalentService(dataDirectory);

// The web application (desk, card, HR) on 5180; in this local run it signs people in on its
// development page, with tokens from the same development key the services accept.
builder.AddProject<Projects.Lingcheng_Talent_Web>("web", launchProfileName: null)
    .AsTalentService(dataDirectory)
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
    .WithEnvironment("Services__Verification", "http://127.0.0.1:5103");

builder.Build().Run();

internal static class ServiceResourceExtensions
{
    /// <summary>A service on its fixed, unproxied ports, sharing the data folder (SQLite files, development keys).</summary>
    public static IResourceBuilder<ProjectResource> AsTalentService(this IResourceBuilder<ProjectResource> project, string dataDirectory)
    {
        // Endpoints come from the Kestrel section of the service's appsettings.json, plus the
        // default "http" one Aspire adds to every project; none of them goes through the proxy.
        foreach (var endpoint in project.Resource.Annotations.OfType<EndpointAnnotation>())
        {
            endpoint.IsProxied = false;
        }

        // The services (and the web app) stop by themselves within a second of this process ending
        // (ParentProcessWatcher), however it ends: Aspire's orchestrator may outlive a Ctrl+C'd or killed AppHost.
        return project
            .WithEnvironment("LINGCHENG_PARENT_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("DataDirectory", dataDirectory)
            .WithEnvironment("Services__Registry", "http://127.0.0.1:5101")
            .WithEnvironment("Services__Entitlements", "http://127.0.0.1:5102");
    }
}
