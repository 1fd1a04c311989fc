using System.Text.RegularExpressions;
using Lingcheng.Talent.Deploy.Tests.Support;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>deploy/containers/Dockerfile, read as text (no Docker engine here): the stages, the user, the probe,
/// and that everything it copies exists in the repository.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string Text = File.ReadAllText(DeployFiles.Dockerfile);

    private static IEnumerable<string> Instructions() =>
        Regex.Replace(Text, @"\\\r?\n", " ").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    [Fact]
    public void It_builds_with_the_sdk_and_runs_on_the_aspnet_runtime_as_a_non_root_user()
    {
        var from = Instructions().Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, from.Count);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", from[0]);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0[-\w]* AS runtime$", from[1]);

        var runtime = Instructions().SkipWhile(l => l != from[1]).ToList();
        var user = runtime.Single(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.Contains(user["USER ".Length..], new[] { "$APP_UID", "1654", "app" });
        Assert.Contains(runtime, l => l.StartsWith("ENTRYPOINT [\"/app/lingcheng-service\"]", StringComparison.Ordinal));
    }

    [Fact]
    public void Its_health_check_runs_the_probe_the_build_publishes_with_the_arguments_written_for_the_program()
    {
        var health = Instructions().Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.EndsWith("CMD [\"/app/probe/lingcheng-healthprobe\"]", health); // arguments from the file beside it
        Assert.Contains($"> /out/app/probe/{HealthProbe.HealthProbe.ArgumentsFile}", Text);

        // gRPC health for the services, an HTTP GET of the endpoints the provider and the web app map.
        Assert.Matches(@"Identity\) echo ""--http http://127\.0\.0\.1:8080/healthz/ready""", Text);
        Assert.Matches(@"Web\) echo ""--http http://127\.0\.0\.1:8080/health""", Text);
        Assert.Matches(@"\*\) echo ""http://127\.0\.0\.1:8080""", Text);
        Assert.Contains("\"/healthz/ready\"", File.ReadAllText(DeployFiles.Path("services", "Lingcheng.Talent.Identity", "Extensions", "IdentityProviderSetup.cs")));
        Assert.Contains("MapHealthChecks(\"/health\")", File.ReadAllText(DeployFiles.Path("clients", "Lingcheng.Talent.Web", "Extensions", "Extensions.cs")));
        Assert.Contains(Instructions(), l => l.Contains("Lingcheng.Talent.HealthProbe.csproj", StringComparison.Ordinal) && l.Contains("-o /out/app/probe", StringComparison.Ordinal));
        Assert.Contains("<AssemblyName>lingcheng-healthprobe</AssemblyName>",
            File.ReadAllText(DeployFiles.Path("deploy", "containers", "Lingcheng.Talent.HealthProbe", "Lingcheng.Talent.HealthProbe.csproj")));
    }

    [Fact]
    public void Everything_it_copies_from_the_build_context_exists()
    {
        var copies = Instructions().Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).ToList();
            foreach (var source in parts[..^1])
            {
                var path = DeployFiles.Path(source.TrimEnd('/').Split('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY source {source} does not exist");
            }
        }
    }

    [Theory]
    [InlineData("Registry", "services")]
    [InlineData("Entitlements", "services")]
    [InlineData("Verification", "services")]
    [InlineData("Identity", "services")]
    [InlineData("Web", "clients")]
    public void The_service_build_argument_names_a_project_the_build_finds(string service, string folder)
    {
        Assert.Equal(DeployFiles.Path(folder, $"Lingcheng.Talent.{service}", $"Lingcheng.Talent.{service}.csproj"), DeployFiles.ProjectFile(service));

        // The build looks in both folders, in this order, and copies the project's whole graph.
        Assert.Contains("for folder in services clients; do", Text);
        var copied = Instructions().Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd('/')).ToList();
        foreach (var project in ConfigurationSurface.ProjectClosure(DeployFiles.ProjectFile(service)!))
        {
            var relative = Path.GetRelativePath(DeployFiles.Root, Path.GetDirectoryName(project)!).Replace('\\', '/');
            Assert.True(copied.Any(c => relative == c || relative.StartsWith(c + "/", StringComparison.Ordinal)), $"{service}: {relative} is not copied into the build");
        }
    }

    [Fact]
    public void The_image_defaults_to_sql_server_without_migrating_at_start()
    {
        var names = DeployFiles.DockerfileEnvironmentNames();
        Assert.Contains("Database__Provider", names);
        Assert.Contains("Database__MigrateOnStartup", names);
        Assert.Matches(@"Database__MigrateOnStartup=false\b", Text);
        Assert.Matches(@"Kestrel__Endpoints__Http__Url=http://127\.0\.0\.1:8080\b", Text);
    }
}
