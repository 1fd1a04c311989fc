// Starts the identity provider, the three services and the web app on the ports of docs/requirements.md §8
// with SQLite files in <repo>/data and the Aspire dashboard. Aspire reads each service's Kestrel endpoints
// (Grpc, and Http for the verification service's JSON API) from its appsettings.json; they are not
// proxied, because Aspire's proxy carries cleartext gRPC, but slowly (docs/requirements.md §10).
var builder = DistributedApplication.CreateBuilder(args);

var repoRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
var dataDirectory = builder.Configuration["DataDirectory"] ?? Path.Combine(repoRoot, "data");
const string authority = "http://127.0.0.1:5104/";

// The built-in identity provider (docs/identity.md): everyone signs in here. In this local run it
// creates demo accounts on first start and prints their passwords once (also in data/keys/demo-accounts.txt).
builder.AddProject<Projects.Lingcheng_Talent_Identity>("identity", launchProfileName: null)
    .AsTalentService(dataDirectory)
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
    .WithEnvironment("Identity__SeedDemoAccounts", "true");

builder.AddProject<Projects.Lingcheng_Talent_Registry>("registry", launchProfileName: null)
    .AsTalentService(dataDirectory)
    .TrustingTheProvider("registry", dataDirectory);

builder.AddProject<Projects.Lingcheng_Talent_Entitlements>("entitlements", launchProfileName: null)
    .AsTalentService(dataDirectory)
    .TrustingTheProvider("entitlements", dataDirectory);

builder.AddProject<Projects.Lingcheng_Talent_Verification>("verification", launchProfileName: null)
    .AsTalentService(dataDirectory)
    .TrustingTheProvider("verification", dataDirectory);

// The web application (desk, card, HR) on 5180; it signs people in at the provider (authorization code + PKCE).
builder.AddProject<Projects.Lingcheng_Talent_Web>("web", launchProfileName: null)
    .AsTalentService(dataDirectory)
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
    .WithEnvironment("Services__Verification", "http://127.0.0.1:5103")
    .WithEnvironment("Services__Identity", authority)
    .WithEnvironment("Auth__Authority", authority)
    .WithEnvironment("Auth__RequireHttpsMetadata", "false")
    .WithEnvironment("Auth__ClientSecretFile", Path.Combine(dataDirectory, "keys", "clients", "lingcheng-web.secret"));

builder.Build().Run();

internal static class ServiceResourceExtensions
{
    /// <summary>A service on its fixed, unproxied ports, sharing the data folder (SQLite files, keys).</summary>
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

    /// <summary>
    /// A service that accepts the provider's tokens and gets its own by client credentials (its secret file is
    /// created by whichever of the two starts first). Development tokens are accepted beside them in this local
    /// run only, so <c>lct --as</c> keeps working (docs/security.md).
    /// </summary>
    public static IResourceBuilder<ProjectResource> TrustingTheProvider(this IResourceBuilder<ProjectResource> project, string clientId, string dataDirectory) =>
        project
            .WithEnvironment("Auth__Authority", "http://127.0.0.1:5104/")
            .WithEnvironment("Auth__RequireHttpsMetadata", "false")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development") // development tokens are refused in any other
            .WithEnvironment("Auth__DevelopmentTokens", "true")
            .WithEnvironment("Auth__ClientId", clientId)
            .WithEnvironment("Auth__ClientSecretFile", Path.Combine(dataDirectory, "keys", "clients", clientId + ".secret"));
}
