using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.Deploy.Tests.Yaml;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// Issue 25: a TLS certificate of its own for every program in compose and Kubernetes (item 9), the API only on the TLS
/// port in Kubernetes, the cleartext port serving health alone (item 11), and a compose helper that leaves no CA private
/// key on the server (Low).
/// </summary>
public sealed class ServiceIsolationDeployTests
{
    private static readonly string[] Programs = ["registry", "entitlements", "verification", "identity", "web"];

    private readonly List<(string File, YamlMap Doc)> _docs = DeployFiles.KubernetesDocuments();
    private readonly YamlMap _compose = DeployFiles.Compose();

    [Fact]
    public void In_kubernetes_the_cleartext_port_is_health_only_every_probe_uses_it_and_services_expose_only_tls()
    {
        var config = _docs.OfKind("ConfigMap").Single(d => d.Str("metadata", "name") == "lingcheng-talent-config").Map("data");
        var cleartext = new Uri(config.Str("Kestrel__Endpoints__Http__Url")!.Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        Assert.Equal(cleartext.ToString(System.Globalization.CultureInfo.InvariantCulture), config.Str("Hosting__HealthOnlyPorts"));
        Assert.StartsWith("https://", config.Str("Kestrel__Endpoints__Https__Url"), StringComparison.Ordinal);

        foreach (var program in Programs)
        {
            var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == program);
            var container = (YamlMap)deployment.List("spec", "template", "spec", "containers").Single()!;
            var env = container.List("env").Cast<YamlMap>().ToDictionary(e => e.Str("name")!, e => e.Str("value"));
            Assert.False(env.ContainsKey("Hosting__HealthOnlyPorts"), $"{program} overrides Hosting__HealthOnlyPorts");
            Assert.False(env.ContainsKey("Kestrel__Endpoints__Http__Url"), $"{program} moves the cleartext endpoint");

            // Every probe on the cleartext port asks a health path (what that port still serves).
            foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            {
                var grpcPort = container.Str(probe, "grpc", "port");
                var httpPort = container.Str(probe, "httpGet", "port");
                Assert.True(grpcPort is not null || httpPort is not null, $"{program}: {probe}");
                Assert.Equal(cleartext.ToString(System.Globalization.CultureInfo.InvariantCulture), grpcPort ?? httpPort);
                if (httpPort is not null)
                {
                    Assert.Contains(container.Str(probe, "httpGet", "path"), new[] { "/health", "/healthz/live", "/healthz/ready" });
                }
            }

            // The Service object forwards to the TLS port only.
            var service = _docs.OfKind("Service").Single(d => d.Str("metadata", "name") == program);
            var containerPorts = container.List("ports").Cast<YamlMap>().ToDictionary(p => p.Str("name")!, p => p.Str("containerPort")!);
            foreach (var port in service.List("spec", "ports").Cast<YamlMap>())
            {
                var target = port.Str("targetPort")!;
                Assert.Equal("8443", containerPorts.GetValueOrDefault(target, target));
            }
        }
    }

    [Fact]
    public void In_kubernetes_every_program_mounts_a_certificate_of_its_own_and_only_the_cas_certificate()
    {
        var secrets = new List<string>();
        foreach (var program in Programs)
        {
            var volumes = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == program)
                .List("spec", "template", "spec", "volumes").Cast<YamlMap>().ToDictionary(v => v.Str("name")!);
            Assert.Equal($"lingcheng-talent-tls-{program}", volumes["tls"].Str("secret", "secretName"));
            Assert.Equal(["tls.crt", "tls.key"], volumes["tls"].List("secret", "items").Cast<YamlMap>().Select(i => i.Str("key")));
            Assert.Equal("lingcheng-talent-ca", volumes["ca"].Str("secret", "secretName"));
            secrets.Add(volumes["tls"].Str("secret", "secretName")!);
        }

        Assert.Equal(Programs.Length, secrets.Distinct().Count());
        Assert.DoesNotContain(_docs, d => d.Doc.Str("metadata", "name") == "lingcheng-talent-tls");
        var operations = File.ReadAllText(DeployFiles.Path("docs", "operations.md"));
        Assert.All(secrets, s => Assert.Contains(s.Replace(Programs.First(p => s.EndsWith(p, StringComparison.Ordinal)), "<program>", StringComparison.Ordinal), operations));
    }

    [Fact]
    public void In_compose_every_program_mounts_a_certificate_of_its_own_from_the_helpers_tls_folder()
    {
        var files = new List<string>();
        foreach (var program in Programs)
        {
            var service = _compose.Map("services", program);
            var mounts = service.List("secrets").OfType<YamlMap>().ToDictionary(s => s.Str("target") ?? s.Str("source")!, s => s.Str("source")!);
            Assert.Equal($"{program}-tls.crt", mounts["tls.crt"]);
            Assert.Equal($"{program}-tls.key", mounts["tls.key"]);
            Assert.Equal($"${{SECRETS_DIRECTORY:-./secrets}}/tls/{program}.crt", _compose.Str("secrets", $"{program}-tls.crt", "file"));
            Assert.Equal($"${{SECRETS_DIRECTORY:-./secrets}}/tls/{program}.key", _compose.Str("secrets", $"{program}-tls.key", "file"));
            Assert.DoesNotContain(service.List("secrets").OfType<string>(), s => s.Contains("tls", StringComparison.Ordinal));
            files.Add(_compose.Str("secrets", $"{program}-tls.key", "file")!);
        }

        Assert.Equal(Programs.Length, files.Distinct().Count());
        Assert.Null(_compose.MapOrNull("secrets", "tls.key")); // no certificate shared by all
    }

    [Fact]
    public async Task The_compose_helper_leaves_no_ca_private_key_on_the_server_and_gives_each_program_its_own_certificate()
    {
        if (Tool.Find("openssl") is null || Tool.Find("bash") is null)
        {
            Assert.Skip("openssl or bash is not installed; make-secrets.sh cannot run here.");
        }

        var script = DeployFiles.Path("deploy", "compose", "make-secrets.sh");
        var root = Directory.CreateTempSubdirectory("lct-ca-").FullName;
        try
        {
            var folder = Path.Combine(root, "secrets");
            var offline = Path.Combine(root, "offline-ca.key");
            var (exit, output, error) = await Tool.RunAsync(Tool.Find("bash")!, [script, folder], environment: new Dictionary<string, string> { ["CA_KEY_OUT"] = offline, ["TMPDIR"] = root });
            Assert.True(exit == 0, error);

            // No CA key in the folder, nor left in a temporary folder; only where the operator asked for it.
            Assert.False(File.Exists(Path.Combine(folder, "ca.key")), "ca.key was left in the secrets folder");
            var keys = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal)).Select(f => Path.GetRelativePath(root, f)).Order().ToList();
            Assert.Equal(
                new[] { "offline-ca.key", "secrets/mssql.key" }.Concat(Programs.Select(p => $"secrets/tls/{p}.key")).Order(),
                keys);
            Assert.Contains("CA_KEY_OUT", File.ReadAllText(script));

            // Each program's certificate names it alone (besides localhost) and is signed by the CA.
            foreach (var program in Programs)
            {
                var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(folder, "tls", program + ".crt")));
                var names = certificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
                Assert.Contains(program, names);
                Assert.Empty(names.Intersect(Programs.Where(p => p != program)));
                var (verified, _, verifyError) = await Tool.RunAsync(Tool.Find("openssl")!, ["verify", "-CAfile", Path.Combine(folder, "ca.crt"), Path.Combine(folder, "tls", program + ".crt")]);
                Assert.True(verified == 0, verifyError);
            }

            // A folder an older helper made, with ca.key in it: the next run takes the key off the server.
            await File.WriteAllTextAsync(Path.Combine(folder, "ca.key"), await File.ReadAllTextAsync(offline, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
            (exit, output, error) = await Tool.RunAsync(Tool.Find("bash")!, [script, folder], environment: new Dictionary<string, string> { ["TMPDIR"] = root });
            Assert.True(exit == 0, error);
            Assert.False(File.Exists(Path.Combine(folder, "ca.key")), "an old ca.key stayed in the secrets folder");
            Assert.Contains("moved the CA's private key out", output);

            // A certificate to issue without the key: a clear stop, and nothing half-made.
            File.Delete(Path.Combine(folder, "tls", "web.crt"));
            (exit, _, error) = await Tool.RunAsync(Tool.Find("bash")!, [script, folder], environment: new Dictionary<string, string> { ["TMPDIR"] = root });
            Assert.NotEqual(0, exit);
            Assert.Contains("CA_KEY", error);
            (exit, _, error) = await Tool.RunAsync(Tool.Find("bash")!, [script, folder], environment: new Dictionary<string, string> { ["CA_KEY"] = offline, ["TMPDIR"] = root });
            Assert.True(exit == 0, error);
            Assert.True(File.Exists(Path.Combine(folder, "tls", "web.crt")));
            Assert.False(File.Exists(Path.Combine(folder, "ca.key")));
            Assert.DoesNotContain(Directory.EnumerateDirectories(root), d => Path.GetFileName(d).StartsWith("lct-ca.", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(f, FileAttributes.Normal);
            }

            Directory.Delete(root, recursive: true);
        }
    }
}
