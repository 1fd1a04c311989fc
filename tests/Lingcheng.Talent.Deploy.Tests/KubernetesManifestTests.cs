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
        foreach (var kind in new[] { "Namespace", "ConfigMap", "Deployment", "Service", "Job", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy" })
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
    [InlineData("registry")]
    [InlineData("entitlements")]
    [InlineData("verification")]
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
        Assert.Equal(service == "verification" ? "LoadBalancer" : "ClusterIP", svc.Str("spec", "type"));
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
    public void Each_database_has_a_migration_job_running_the_service_image_with_migrate(string service, string project)
    {
        var job = _docs.OfKind("Job").Single(d => d.Str("metadata", "name") == "migrate-" + service);
        var container = (YamlMap)job.List("spec", "template", "spec", "containers").Single()!;
        var deployment = _docs.OfKind("Deployment").Single(d => d.Str("metadata", "name") == service);
        var serviceContainer = (YamlMap)deployment.List("spec", "template", "spec", "containers").Single()!;
        Assert.Equal(serviceContainer.Str("image"), container.Str("image"));
        Assert.Equal(["migrate"], container.List("args").Cast<string>());
        var env = container.List("env").Cast<YamlMap>().Select(e => e.Str("name")).ToList();
        Assert.Contains("ConnectionStrings__" + project, env);
        Assert.Contains(job.Str("spec", "template", "spec", "restartPolicy"), new[] { "OnFailure", "Never" });
    }

    [Fact]
    public void Network_policies_admit_the_world_only_to_verification_and_the_platform_only_to_the_others()
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
                if (target == "verification")
                {
                    Assert.Empty(from); // from anywhere
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

        // Each service pod is selected by exactly one admitting policy.
        Assert.Equal(["entitlements", "registry", "verification"],
            policies.Where(p => p != deny).Select(p => p.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name")).Order());
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

        Assert.Equal(4, referenced.Count);
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
        var built = MiniYaml.ParseAll(output).Cast<YamlMap>().ToList();
        Assert.Equal(_docs.Count, built.Count);
        Assert.All(built.Where(d => d.Str("kind") != "Namespace"), d => Assert.Equal("lingcheng-talent", d.Str("metadata", "namespace")));
    }
}
