using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.Deploy.Tests.Yaml;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>deploy/kubernetes: the manifests the kustomization ties together, checked for the mistakes that a
/// cluster would only reveal at run time (selectors that select nothing, probes on closed ports, open services).</summary>
public sealed class KubernetesManifestTests
{
    private readonly List<(string File, YamlMap Doc)> _docs = DeployFiles.KubernetesDocuments();

    [Fact]
    public void Every_document_names_its_api_kind_and_name()
    {
        Assert.NotEmpty(_docs);
        foreach (var (file, doc) in _docs)
        {
            Assert.False(string.IsNullOrEmpty(doc.Str("apiVersion")), $"{file}: apiVersion");
            Assert.False(string.IsNullOrEmpty(doc.Str("kind")), $"{file}: kind");
            Assert.False(string.IsNullOrEmpty(doc.Str("metadata", "name")), $"{file}: metadata.name");
        }

        var kinds = _docs.Select(d => d.Doc.Str("kind")).ToHashSet();
        foreach (var kind in new[] { "Namespace", "ConfigMap", "Deployment", "Service", "Job", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "PersistentVolumeClaim" })
        {
            Assert.Contains(kind, kinds);
        }

        // Secrets are referenced, never shipped with values.
        Assert.DoesNotContain("Secret", kinds);
    }

    [Theory]
    [InlineData("registry")]
    [InlineData("entitlements")]
    [InlineData("verification")]
    public void Each_deployment_selects_its_own_pods_and_probes_grpc_health_on_a_declared_port(string service)
    {
        var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == service);
        var selector = deployment.Map("spec", "selector", "matchLabels");
        var podLabels = deployment.Map("spec", "template", "metadata", "labels");
        Assert.All(selector, l => Assert.Equal(l.Value, podLabels.GetValueOrDefault(l.Key)));
        Assert.Equal("lingcheng-talent", podLabels["app.kubernetes.io/part-of"]);

        var container = (YamlMap)deployment.List("spec", "template", "spec", "containers").Single()!;
        var ports = container.List("ports").Cast<YamlMap>().Select(p => p.Str("containerPort")).ToHashSet();
        Assert.Contains("8443", ports);
        foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            var port = container.Str(probe, "grpc", "port");
            Assert.True(port is not null, $"{service}: {probe} is not a native gRPC probe");
            Assert.Contains(port, ports);
        }

        // Readiness is the default health service (database, feeds); startup and liveness only ask whether
        // the process answers, so a stuck database takes the pod out of rotation instead of restarting it.
        Assert.Null(container.Str("readinessProbe", "grpc", "service"));
        Assert.Equal("liveness", container.Str("livenessProbe", "grpc", "service"));
        Assert.Equal("liveness", container.Str("startupProbe", "grpc", "service"));

        Assert.NotNull(container.Str("resources", "requests", "cpu"));
        Assert.NotNull(container.Str("resources", "requests", "memory"));
        Assert.NotNull(container.Str("resources", "limits", "memory"));
        Assert.Equal("true", deployment.Str("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.Equal("true", container.Str("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal($"lingcheng/talent-{service}:latest", container.Str("image"));
    }

    [Theory]
    [InlineData("identity", "/healthz/ready", "/healthz/live")]
    [InlineData("web", "/health", "/health")]
    public void The_identity_provider_and_the_web_app_are_probed_over_http_on_the_probe_port(string name, string ready, string live)
    {
        var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == name);
        var selector = deployment.Map("spec", "selector", "matchLabels");
        var podLabels = deployment.Map("spec", "template", "metadata", "labels");
        Assert.All(selector, l => Assert.Equal(l.Value, podLabels.GetValueOrDefault(l.Key)));
        Assert.Equal("lingcheng-talent", podLabels["app.kubernetes.io/part-of"]);

        var container = (YamlMap)deployment.List("spec", "template", "spec", "containers").Single()!;
        var ports = container.List("ports").Cast<YamlMap>().Select(p => p.Str("containerPort")).ToHashSet();
        Assert.Equal(["8080", "8443"], ports.Order());
        Assert.Equal(ready, container.Str("readinessProbe", "httpGet", "path"));
        Assert.Equal(live, container.Str("livenessProbe", "httpGet", "path"));
        Assert.Equal(live, container.Str("startupProbe", "httpGet", "path"));
        foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            Assert.Equal("8080", container.Str(probe, "httpGet", "port")); // the cleartext port: the kubelet cannot check TLS names
            Assert.Null(container.Str(probe, "grpc", "port"));
        }

        // HTTP/1.1 on the TLS port: sign-in pages, Blazor's WebSockets.
        var env = container.List("env").Cast<YamlMap>().ToDictionary(e => e.Str("name")!, e => e);
        Assert.Equal("Http1", env["Kestrel__Endpoints__Https__Protocols"].Str("value"));
        Assert.NotNull(container.Str("resources", "limits", "memory"));
        Assert.Equal("true", deployment.Str("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.Equal("true", container.Str("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal($"lingcheng/talent-{name}:latest", container.Str("image"));
    }

    [Fact]
    public void The_identity_provider_issues_as_the_authority_and_finds_its_keys_in_its_keys_folder()
    {
        var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == "identity");
        var pod = deployment.Map("spec", "template", "spec");
        var container = (YamlMap)pod.List("containers").Single()!;
        var env = container.List("env").Cast<YamlMap>().ToDictionary(e => e.Str("name")!, e => e);

        // One value: the issuer is the ConfigMap's Auth__Authority, which every other program trusts.
        Assert.Equal("Auth__Authority", env["Identity__Issuer"].Str("valueFrom", "configMapKeyRef", "key"));
        Assert.StartsWith("https://", _docs.OfKind("ConfigMap").Single().Str("data", "Auth__Authority"));
        Assert.StartsWith("https://", env["Identity__Web__BaseUrls__0"].Str("value"));

        var folder = env["Identity__KeysDirectory"].Str("value");
        Assert.Equal("lingcheng-talent-identity-keys", VolumeMountedAt(pod, $"{folder}/identity-signing.key").Str("secret", "secretName"));
        Assert.Equal("lingcheng-talent-identity-keys", VolumeMountedAt(pod, $"{folder}/identity-encryption.key").Str("secret", "secretName"));
        Assert.Equal("lingcheng-talent-client-secrets", VolumeMountedAt(pod, $"{folder}/clients").Str("secret", "secretName"));

        // A ReadWriteOnce claim cannot be shared by two pods: one replica, replaced rather than rolled.
        Assert.Equal("ReadWriteOnce", AccessModeOfClaimMountedAt(pod, $"{folder}/identity-data-protection"));
        Assert.Equal("1", deployment.Str("spec", "replicas"));
        Assert.Equal("Recreate", deployment.Str("spec", "strategy", "type"));
    }

    [Theory]
    [InlineData("entitlements", "entitlements")]
    [InlineData("verification", "verification")]
    [InlineData("web", "lingcheng-web")]
    public void Each_client_of_the_provider_mounts_its_own_secret_only(string name, string clientId)
    {
        var pod = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == name).Map("spec", "template", "spec");
        var container = (YamlMap)pod.List("containers").Single()!;
        var env = container.List("env").Cast<YamlMap>().ToDictionary(e => e.Str("name")!, e => e.Str("value"));
        Assert.Equal(clientId, env["Auth__ClientId"]);
        Assert.DoesNotContain("Auth__ServiceTokenFile", env.Keys);

        var file = env["Auth__ClientSecretFile"]!;
        var mount = container.List("volumeMounts").Cast<YamlMap>().Single(m => file.StartsWith(m.Str("mountPath") + "/", StringComparison.Ordinal));
        var volume = pod.List("volumes").Cast<YamlMap>().Single(v => v.Str("name") == mount.Str("name"));
        Assert.Equal("lingcheng-talent-client-secrets", volume.Str("secret", "secretName"));
        var item = (YamlMap)volume.List("secret", "items").Single()!;
        Assert.Equal(clientId + ".secret", item.Str("key"));
        Assert.Equal(file, mount.Str("mountPath") + "/" + item.Str("path"));
    }

    [Fact]
    public void The_kustomization_sets_the_tag_of_every_image_the_pods_run()
    {
        var kustomization = (YamlMap)YamlFiles.Parse(File.ReadAllText(Path.Combine(DeployFiles.KubernetesFolder, "kustomization.yaml")))!;
        var named = kustomization.List("images").Cast<YamlMap>().Select(i => i.Str("name")).ToHashSet();
        var used = _docs.OfKind("Deployment").Concat(_docs.OfKind("Job"))
            .SelectMany(d => d.List("spec", "template", "spec", "containers").Cast<YamlMap>())
            .Select(c => c.Str("image")![..c.Str("image")!.LastIndexOf(':')]).ToHashSet();
        Assert.Equal(DeployFiles.Programs.Select(p => $"lingcheng/talent-{p.Name}").Order(), used.Order());
        Assert.Equal(used.Order(), named.Order());
    }

    [Fact]
    public void Every_service_address_the_programs_are_given_is_a_port_of_that_service_object()
    {
        var ports = _docs.OfKind("Service").ToDictionary(
            s => s.Str("metadata", "name")!, s => s.List("spec", "ports").Cast<YamlMap>().Select(p => p.Str("port")).ToHashSet());
        var addresses = _docs.OfKind("ConfigMap").SelectMany(c => c.Map("data")).Select(e => (e.Key, Value: e.Value as string))
            .Concat(_docs.OfKind("Deployment").SelectMany(d => d.List("spec", "template", "spec", "containers").Cast<YamlMap>())
                .SelectMany(c => c.List("env").Cast<YamlMap>()).Select(e => (Key: e.Str("name")!, Value: e.Str("value"))))
            .Where(e => e.Key.StartsWith("Services__", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(addresses, a => a.Key == "Services__Verification");
        foreach (var (key, value) in addresses)
        {
            var uri = new Uri(value!);
            Assert.Equal("https", uri.Scheme);
            Assert.True(ports.TryGetValue(uri.Host, out var open), $"{key}: no Service {uri.Host}");
            Assert.True(open.Contains(uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{key}: Service {uri.Host} has no port {uri.Port}");
        }
    }

    [Fact]
    public void The_web_app_keeps_each_browser_on_one_replica_and_both_replicas_share_one_key_folder()
    {
        var svc = _docs.OfKind("Service").Single(d => d.Str("metadata", "name") == "web");
        Assert.Equal("ClientIP", svc.Str("spec", "sessionAffinity"));

        // The data-protection keys' default folder ({DataDirectory}/web-data-protection, DataDirectory=/var/lib/lingcheng
        // in the image) is one claim that both replicas mount, so either reads the other's session cookies.
        var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == "web");
        Assert.Equal("ReadWriteMany", AccessModeOfClaimMountedAt(deployment.Map("spec", "template", "spec"), "/var/lib/lingcheng/web-data-protection"));
        Assert.Equal("2", deployment.Str("spec", "replicas"));
    }

    /// <summary>The pod's volume that its (single) container mounts at <paramref name="path"/>.</summary>
    private static YamlMap VolumeMountedAt(YamlMap pod, string path)
    {
        var container = (YamlMap)pod.List("containers").Single()!;
        var name = container.List("volumeMounts").Cast<YamlMap>().Single(m => m.Str("mountPath") == path).Str("name");
        return pod.List("volumes").Cast<YamlMap>().Single(v => v.Str("name") == name);
    }

    /// <summary>The access mode of the PersistentVolumeClaim (which must exist) mounted at <paramref name="path"/>.</summary>
    private string? AccessModeOfClaimMountedAt(YamlMap pod, string path)
    {
        var claim = VolumeMountedAt(pod, path).Str("persistentVolumeClaim", "claimName");
        return _docs.OfKind("PersistentVolumeClaim").Single(c => c.Str("metadata", "name") == claim).List("spec", "accessModes").Cast<string>().Single();
    }

    [Theory]
    [InlineData("registry")]
    [InlineData("entitlements")]
    [InlineData("verification")]
    [InlineData("identity")]
    [InlineData("web")]
    public void Each_service_object_reaches_its_deployments_pods_on_the_tls_port(string service)
    {
        var svc = _docs.OfKind("Service").Single(d => d.Str("metadata", "name") == service);
        var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == service);
        var podLabels = deployment.Map("spec", "template", "metadata", "labels");
        Assert.All(svc.Map("spec", "selector"), l => Assert.Equal(l.Value, podLabels.GetValueOrDefault(l.Key)));

        var container = (YamlMap)deployment.List("spec", "template", "spec", "containers").Single()!;
        var named = container.List("ports").Cast<YamlMap>().ToDictionary(p => p.Str("name") ?? "", p => p.Str("containerPort"));
        var port = (YamlMap)svc.List("spec", "ports").Single()!;
        Assert.Equal("8443", named[port.Str("targetPort")!]);
        Assert.Equal(service is "verification" or "identity" or "web" ? "LoadBalancer" : "ClusterIP", svc.Str("spec", "type"));
    }

    [Fact]
    public void The_verification_service_has_a_disruption_budget_and_an_autoscaler()
    {
        var pdb = _docs.OfKind("PodDisruptionBudget").Single();
        Assert.Equal("verification", pdb.Str("spec", "selector", "matchLabels", "app.kubernetes.io/name"));
        Assert.True(pdb.Str("spec", "maxUnavailable") is not null || pdb.Str("spec", "minAvailable") is not null);

        var hpa = _docs.OfKind("HorizontalPodAutoscaler").Single();
        Assert.Equal("Deployment", hpa.Str("spec", "scaleTargetRef", "kind"));
        Assert.Equal("verification", hpa.Str("spec", "scaleTargetRef", "name"));
        Assert.True(int.Parse(hpa.Str("spec", "minReplicas")!) >= 2, "at least two replicas so a disruption leaves one serving");

        // The autoscaler owns the replica count; a fixed one in the Deployment would fight it on every apply.
        Assert.Null(_docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == "verification").Str("spec", "replicas"));
    }

    [Theory]
    [InlineData("registry", "Registry")]
    [InlineData("entitlements", "Entitlements")]
    [InlineData("verification", "Verification")]
    [InlineData("identity", "Identity")]
    public void Each_database_has_a_migration_job_running_the_service_image_with_migrate(string service, string project)
    {
        var job = _docs.OfKind("Job").Single(d => d.Str("metadata", "name") == "migrate-" + service);
        var container = (YamlMap)job.List("spec", "template", "spec", "containers").Single()!;
        var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == service);
        var serviceContainer = (YamlMap)deployment.List("spec", "template", "spec", "containers").Single()!;
        Assert.Equal(serviceContainer.Str("image"), container.Str("image"));
        Assert.Equal(["migrate"], container.List("args").Cast<string>());
        var env = container.List("env").Cast<YamlMap>().ToList();
        var connection = env.Single(e => e.Str("name") == "ConnectionStrings__" + project);
        Assert.Contains(";UID=lct_migrate;", connection.Str("value"));
        Assert.Equal("migration", job.Str("spec", "template", "metadata", "labels", "app.kubernetes.io/component"));
        Assert.Contains(job.Str("spec", "template", "spec", "restartPolicy"), new[] { "OnFailure", "Never" });
    }

    [Fact]
    public void Network_policies_admit_the_world_only_to_verification_identity_and_web_and_the_platform_only_to_the_others()
    {
        var policies = _docs.OfKind("NetworkPolicy").ToList();
        var deny = policies.Single(p => p.Map("spec", "podSelector").Count == 0);
        Assert.Equal(["Ingress"], deny.List("spec", "policyTypes").Cast<string>());
        Assert.Empty(deny.List("spec", "ingress"));

        foreach (var policy in policies.Where(p => p != deny))
        {
            var target = policy.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name");
            foreach (var rule in policy.List("spec", "ingress").Cast<YamlMap>())
            {
                var ports = rule.List("ports").Cast<YamlMap>().Select(p => p.Str("port")).ToList();
                Assert.Equal(["8443"], ports); // never the cleartext probe port
                var from = rule.List("from").Cast<YamlMap>().ToList();
                if (target is "verification" or "identity" or "web")
                {
                    Assert.Empty(from); // from anywhere: terminals, browsers, and the pods through the public URLs
                    continue;
                }

                Assert.Contains(target, new[] { "registry", "entitlements" });
                Assert.NotEmpty(from);
                Assert.All(from, f =>
                {
                    Assert.Null(f.At("ipBlock"));
                    Assert.Null(f.At("namespaceSelector"));
                    Assert.Equal("lingcheng-talent", f.Str("podSelector", "matchLabels", "app.kubernetes.io/part-of"));
                });
            }
        }

        // Each program's pods are selected by exactly one admitting policy.
        Assert.Equal(["entitlements", "identity", "registry", "verification", "web"],
            policies.Where(p => p != deny).Select(p => p.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name")).Order());

        // The web app (not labelled a service) reaches the two internal services, and so does the provider (a service).
        foreach (var name in new[] { "registry", "entitlements" })
        {
            var from = policies.Single(p => p.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == name)
                .List("spec", "ingress").Cast<YamlMap>().SelectMany(r => r.List("from").Cast<YamlMap>())
                .Select(f => f.Str("podSelector", "matchLabels", "app.kubernetes.io/component")).ToList();
            Assert.Contains("web", from);
            Assert.Contains("service", from);
        }

        Assert.Equal("web", _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == "web").Str("spec", "template", "metadata", "labels", "app.kubernetes.io/component"));
        Assert.Equal("service", _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == "identity").Str("spec", "template", "metadata", "labels", "app.kubernetes.io/component"));
    }

    [Fact]
    public void Every_referenced_secret_is_documented_in_operations_md()
    {
        var docs = File.ReadAllText(DeployFiles.Path("docs", "operations.md"));
        var referenced = new HashSet<string>();
        foreach (var deploymentOrJob in _docs.OfKind("Deployment").Concat(_docs.OfKind("Job")))
        {
            var pod = deploymentOrJob.Map("spec", "template", "spec");
            referenced.UnionWith(pod.List("volumes").Cast<YamlMap>().Select(v => v.Str("secret", "secretName")).OfType<string>());
            foreach (var container in pod.List("containers").Cast<YamlMap>())
            {
                referenced.UnionWith(container.List("env").Cast<YamlMap>().Select(e => e.Str("valueFrom", "secretKeyRef", "name")).OfType<string>());
            }
        }

        Assert.Equal(
            ["lingcheng-talent-ca", "lingcheng-talent-client-secrets", "lingcheng-talent-database", "lingcheng-talent-identity-keys", "lingcheng-talent-registry-keys",
             "lingcheng-talent-tls-entitlements", "lingcheng-talent-tls-identity", "lingcheng-talent-tls-registry", "lingcheng-talent-tls-verification", "lingcheng-talent-tls-web"],
            referenced.Order());
        Assert.All(referenced, name => Assert.Contains(name, docs));
    }

    [Fact]
    public async Task Kustomize_builds_the_manifests_when_kubectl_is_installed()
    {
        var kubectl = Tool.Find("kubectl");
        if (kubectl is null)
        {
            Assert.Skip("kubectl is not installed (apt-get install kubectl); the structural tests above still ran.");
        }

        var (exit, output, error) = await Tool.RunAsync(kubectl, ["kustomize", DeployFiles.KubernetesFolder]);
        Assert.True(exit == 0, error);
        var built = YamlFiles.ParseAll(output).Cast<YamlMap>().ToList();
        Assert.Equal(_docs.Count, built.Count);
        Assert.All(built.Where(d => d.Str("kind") != "Namespace"), d => Assert.Equal("lingcheng-talent", d.Str("metadata", "namespace")));
    }
}
