using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.Deploy.Tests.Yaml;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// Every environment variable the deployment sets (the image, compose, the Kubernetes ConfigMap and pod specs)
/// is a configuration key the services read (see <see cref="ConfigurationSurface"/>): a misspelt key would
/// otherwise be ignored without a word, and the service would run on its default.
/// </summary>
public sealed class ConfigurationKeyTests
{
    private static readonly ConfigurationSurface Surface = ConfigurationSurface.FromRepository(DeployFiles.Root);

    [Fact]
    public void Every_variable_compose_sets_for_the_services_is_read_by_them()
    {
        var unread = DeployFiles.OwnComposeServices(DeployFiles.Compose())
            .SelectMany(s => DeployFiles.Environment(s.Service).Keys.Select(k => $"{s.Name}: {k}"))
            .Where(entry => !Surface.IsRead(ConfigurationSurface.ToKey(entry[(entry.IndexOf(": ", StringComparison.Ordinal) + 2)..])))
            .ToList();
        Assert.True(unread.Count == 0, "set but read by no code: " + string.Join(", ", unread));
    }

    [Fact]
    public void Every_variable_the_kubernetes_manifests_set_is_read_by_the_services()
    {
        var docs = DeployFiles.KubernetesDocuments();
        var names = new List<string>();
        foreach (var configMap in docs.OfKind("ConfigMap"))
        {
            names.AddRange(configMap.Map("data").Keys); // consumed with envFrom: the keys are variable names
        }

        foreach (var pod in docs.OfKind("Deployment").Concat(docs.OfKind("Job")).Select(d => d.Map("spec", "template", "spec")))
        {
            foreach (var container in pod.List("containers").Cast<YamlMap>())
            {
                names.AddRange(container.List("env").Cast<YamlMap>().Select(e => e.Str("name")!));
                Assert.All(container.List("envFrom").Cast<YamlMap>(), e => Assert.NotNull(e.Str("configMapRef", "name")));
            }
        }

        Assert.Contains("Auth__Authority", names);
        var unread = names.Distinct().Where(n => !Surface.IsRead(ConfigurationSurface.ToKey(n))).ToList();
        Assert.True(unread.Count == 0, "set but read by no code: " + string.Join(", ", unread));
    }

    [Fact]
    public void Every_variable_the_image_sets_is_read_by_the_services()
    {
        var names = DeployFiles.DockerfileEnvironmentNames();
        Assert.Contains("Kestrel__Endpoints__Http__Url", names);
        var unread = names.Where(n => !Surface.IsRead(ConfigurationSurface.ToKey(n))).ToList();
        Assert.True(unread.Count == 0, "set but read by no code: " + string.Join(", ", unread));
    }

    [Theory]
    [InlineData("Database:Provider")]
    [InlineData("Database:MigrateOnStartup")]
    [InlineData("ConnectionStrings:Registry")]
    [InlineData("ConnectionStrings:Entitlements")]
    [InlineData("ConnectionStrings:Verification")]
    [InlineData("Auth:Authority")]
    [InlineData("Auth:Audience")]
    [InlineData("Auth:ServiceTokenFile")]
    [InlineData("Services:Registry")]
    [InlineData("Services:Entitlements")]
    [InlineData("Registry:PersonalDataKeyFile")]
    [InlineData("Registry:SigningKeyFile")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public void The_surface_finds_the_keys_the_documentation_names(string key) =>
        Assert.True(Surface.IsRead(key), $"{key} was not found in the services' sources; the scanner misses a way of reading configuration");

    [Theory]
    [InlineData("Registry__SigingKeyFile")]
    [InlineData("Auth__Authorty")]
    [InlineData("ConnectionStrings__Registy")]
    [InlineData("Database__Providr")]
    [InlineData("Kestrel__Endpoints__Https__Adress")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPIONT")]
    public void A_misspelt_key_is_reported_as_unread(string variable) =>
        Assert.False(Surface.IsRead(ConfigurationSurface.ToKey(variable)));
}
