using System.Text.RegularExpressions;
using Lingcheng.Talent.Deploy.Tests.Yaml;
using Lingcheng.Talent.Testing;
using YamlDotNet.Core;

namespace Lingcheng.Talent.Deploy.Tests.Support;

/// <summary>The deployment files under deploy/, read once.</summary>
public static partial class DeployFiles
{
    public static string Root => RepoPaths.Root;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string ComposeFile => Path("deploy", "compose", "compose.yaml");

    public static string KubernetesFolder => Path("deploy", "kubernetes");

    public static string Dockerfile => Path("deploy", "containers", "Dockerfile");

    /// <summary>The three services: name in compose/Kubernetes, project suffix, configuration name of the database.</summary>
    public static readonly (string Name, string Project)[] Services =
        [("registry", "Registry"), ("entitlements", "Entitlements"), ("verification", "Verification")];

    /// <summary>Every program with an image: the three services, the identity provider and the web app.</summary>
    public static readonly (string Name, string Project)[] Programs =
        [.. Services, ("identity", "Identity"), ("web", "Web")];

    /// <summary>
    /// The project file of <c>SERVICE=<paramref name="project"/></c>, where the Dockerfile finds it:
    /// services/Lingcheng.Talent.X, else clients/Lingcheng.Talent.X (the web app); null when neither exists.
    /// </summary>
    public static string? ProjectFile(string project) =>
        new[] { "services", "clients" }
            .Select(folder => Path(folder, $"Lingcheng.Talent.{project}", $"Lingcheng.Talent.{project}.csproj"))
            .FirstOrDefault(File.Exists);

    /// <summary>The project of a program's image name, <c>lingcheng/talent-{name}:tag</c>.</summary>
    public static string ProjectOfImage(string image)
    {
        var name = Regex.Match(image, @"talent-([a-z]+)").Groups[1].Value;
        return Programs.Single(p => p.Name == name).Project;
    }

    public static YamlMap Compose() => (YamlMap)YamlFiles.Parse(File.ReadAllText(ComposeFile))!;

    /// <summary>Every document of every file the kustomization lists, with its file name.</summary>
    public static List<(string File, YamlMap Doc)> KubernetesDocuments()
    {
        var kustomization = (YamlMap)YamlFiles.Parse(File.ReadAllText(System.IO.Path.Combine(KubernetesFolder, "kustomization.yaml")))!;
        var documents = new List<(string, YamlMap)>();
        foreach (var resource in kustomization.List("resources").Cast<string>())
        {
            var file = System.IO.Path.Combine(KubernetesFolder, resource);
            foreach (var doc in YamlFiles.ParseAll(File.ReadAllText(file)))
            {
                documents.Add((resource, doc as YamlMap ?? throw new YamlException($"{resource}: a document is not a mapping")));
            }
        }

        return documents;
    }

    public static IEnumerable<YamlMap> OfKind(this IEnumerable<(string File, YamlMap Doc)> docs, string kind) =>
        docs.Where(d => d.Doc.Str("kind") == kind).Select(d => d.Doc);

    /// <summary>A compose service's environment as name → value (mapping or KEY=value list form).</summary>
    public static Dictionary<string, string?> Environment(YamlMap service)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (service.At("environment"))
        {
            case YamlMap map:
                foreach (var (k, v) in map)
                {
                    result[k] = v as string;
                }

                break;
            case List<object?> list:
                foreach (var item in list.Cast<string>())
                {
                    var eq = item.IndexOf('=');
                    result[eq < 0 ? item : item[..eq]] = eq < 0 ? null : item[(eq + 1)..];
                }

                break;
        }

        return result;
    }

    /// <summary>The compose services built from this repository's Dockerfile (not SQL Server).</summary>
    public static IEnumerable<(string Name, YamlMap Service)> OwnComposeServices(YamlMap compose) =>
        compose.Map("services").Where(s => s.Value is YamlMap m && m.MapOrNull("build") is not null)
            .Select(s => (s.Key, (YamlMap)s.Value!));

    /// <summary>The ENV names the Dockerfile's runtime stage sets.</summary>
    public static List<string> DockerfileEnvironmentNames()
    {
        var text = Regex.Replace(File.ReadAllText(Dockerfile), @"\\\r?\n", " ");
        var names = new List<string>();
        foreach (var line in text.Split('\n').Where(l => l.TrimStart().StartsWith("ENV ", StringComparison.Ordinal)))
        {
            names.AddRange(EnvAssignment().Matches(line).Select(m => m.Groups[1].Value));
        }

        return names;
    }

    [GeneratedRegex(@"\s([A-Za-z_][A-Za-z0-9_]*)=")]
    private static partial Regex EnvAssignment();
}
