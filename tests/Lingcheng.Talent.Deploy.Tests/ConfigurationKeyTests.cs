using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.Deploy.Tests.Yaml;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// Every environment variable the deployment sets (the image, compose, the Kubernetes ConfigMap and pod specs)
/// is a configuration key read by the program that receives it (see <see cref="ConfigurationSurface"/>): a
/// misspelt key, or one given to the wrong program, would otherwise be ignored without a word, and the program
/// would run on its default.
/// </summary>
public sealed class ConfigurationKeyTests
{
    private static readonly ConfigurationSurface Surface = ConfigurationSurface.FromRepository(DeployFiles.Root);

    private static readonly Dictionary<string, ConfigurationSurface> ByProject = DeployFiles.Programs.ToDictionary(
        p => p.Project, p => ConfigurationSurface.ForProject(DeployFiles.ProjectFile(p.Project)!));

    [Fact]
    public void Every_variable_compose_sets_is_read_by_the_program_that_receives_it()
    {
        var services = DeployFiles.OwnComposeServices(DeployFiles.Compose()).ToList();
        Assert.Equal(DeployFiles.Programs.Select(p => p.Project).Order(), services.Select(s => s.Service.Str("build", "args", "SERVICE")!).Distinct().Order());
        var unread = services
            .SelectMany(s => DeployFiles.Environment(s.Service).Keys
                .Where(k => !ByProject[s.Service.Str("build", "args", "SERVICE")!].IsRead(ConfigurationSurface.ToKey(k)))
                .Select(k => $"{s.Name}: {k}"))
            .ToList();
        Assert.True(unread.Count == 0, "set but not read by the program: " + string.Join(", ", unread));
    }

    [Fact]
    public void Every_variable_the_kubernetes_manifests_set_is_read_by_the_program_that_receives_it()
    {
        var docs = DeployFiles.KubernetesDocuments();
        var configMapKeys = docs.OfKind("ConfigMap").SelectMany(c => c.Map("data").Keys).ToList();
        var receivers = new HashSet<string>();
        var unread = new List<string>();
        foreach (var pod in docs.OfKind("Deployment").Concat(docs.OfKind("Job")).Select(d => d.Map("spec", "template", "spec")))
        {
            foreach (var container in pod.List("containers").Cast<YamlMap>())
            {
                var project = DeployFiles.ProjectOfImage(container.Str("image")!);
                var names = container.List("env").Cast<YamlMap>().Select(e => e.Str("name")!).ToList();
                unread.AddRange(names.Where(n => !ByProject[project].IsRead(ConfigurationSurface.ToKey(n))).Select(n => $"{project}: {n}"));
                Assert.All(container.List("envFrom").Cast<YamlMap>(), e => Assert.NotNull(e.Str("configMapRef", "name")));
                if (container.List("envFrom").Count > 0)
                {
                    receivers.Add(project);
                }
            }
        }

        // The ConfigMap goes to every program (envFrom): each key must be read by at least one of them.
        unread.AddRange(configMapKeys.Where(k => !receivers.Any(p => ByProject[p].IsRead(ConfigurationSurface.ToKey(k)))).Select(k => $"ConfigMap: {k}"));
        Assert.Contains("Auth__Authority", configMapKeys);
        Assert.Equal(DeployFiles.Programs.Select(p => p.Project).Order(), receivers.Order());
        Assert.True(unread.Count == 0, "set but not read by the program: " + string.Join(", ", unread));
    }

    [Fact]
    public void Every_variable_the_image_sets_is_read_by_the_programs()
    {
        var names = DeployFiles.DockerfileEnvironmentNames();
        Assert.Contains("Kestrel__Endpoints__Http__Url", names);
        var unread = names.Where(n => !Surface.IsRead(ConfigurationSurface.ToKey(n))).ToList();
        Assert.True(unread.Count == 0, "set but read by no code: " + string.Join(", ", unread));

        // Every image has the cleartext probe endpoint, whatever program it runs.
        Assert.All(ByProject, p => Assert.True(p.Value.IsRead("Kestrel:Endpoints:Http:Url"), p.Key));
    }

    [Theory]
    [InlineData("Database:Provider")]
    [InlineData("Database:MigrateOnStartup")]
    [InlineData("ConnectionStrings:Registry")]
    [InlineData("ConnectionStrings:Entitlements")]
    [InlineData("ConnectionStrings:Verification")]
    [InlineData("ConnectionStrings:Identity")]
    [InlineData("Auth:Authority")]
    [InlineData("Auth:Audience")]
    [InlineData("Auth:ServiceTokenFile")]
    [InlineData("Auth:ClientId")]
    [InlineData("Auth:ClientSecretFile")]
    [InlineData("Services:Registry")]
    [InlineData("Services:Entitlements")]
    [InlineData("Services:Verification")]
    [InlineData("Services:Identity")]
    [InlineData("Registry:PersonalDataKeyFile")]
    [InlineData("Registry:SigningKeyFile")]
    [InlineData("Identity:Issuer")]
    [InlineData("Identity:KeysDirectory")]
    [InlineData("Identity:Web:BaseUrls:0")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public void The_surface_finds_the_keys_the_documentation_names(string key) =>
        Assert.True(Surface.IsRead(key), $"{key} was not found in the programs' sources; the scanner misses a way of reading configuration");

    [Theory]
    [InlineData("Identity", "Identity:Issuer")]
    [InlineData("Identity", "Identity:KeysDirectory")]
    [InlineData("Identity", "ConnectionStrings:Identity")]
    [InlineData("Identity", "Services:Registry")]
    [InlineData("Web", "Auth:ClientId")]
    [InlineData("Web", "Auth:ClientSecretFile")]
    [InlineData("Web", "Services:Identity")]
    [InlineData("Web", "Services:Verification")]
    [InlineData("Entitlements", "Auth:ClientSecretFile")]
    [InlineData("Verification", "Services:Entitlements")]
    public void A_program_reads_its_own_keys(string project, string key) =>
        Assert.True(ByProject[project].IsRead(key), $"{project} does not read {key}");

    [Theory]
    [InlineData("Web", "ConnectionStrings:Registry")]
    [InlineData("Web", "Registry:PersonalDataKeyFile")]
    [InlineData("Web", "Identity:Issuer")]
    [InlineData("Identity", "Registry:PersonalDataKeyFile")]
    [InlineData("Identity", "Services:Identity")]
    [InlineData("Registry", "Identity:Issuer")]
    [InlineData("Registry", "ConnectionStrings:Identity")]
    public void A_key_only_another_program_reads_is_unread_by_this_one(string project, string key) =>
        Assert.False(ByProject[project].IsRead(key), $"{project} is taken to read {key}, which only another program reads");

    [Theory]
    [InlineData("Registry__SigingKeyFile")]
    [InlineData("Auth__Authorty")]
    [InlineData("ConnectionStrings__Registy")]
    [InlineData("Database__Providr")]
    [InlineData("Kestrel__Endpoints__Https__Adress")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPIONT")]
    [InlineData("Identity__Isuer")]
    [InlineData("Auth__ClientSecretFiel")]
    [InlineData("Identity__Web__BaseUrl__0")]
    public void A_misspelt_key_is_reported_as_unread(string variable) =>
        Assert.False(Surface.IsRead(ConfigurationSurface.ToKey(variable)));
}
