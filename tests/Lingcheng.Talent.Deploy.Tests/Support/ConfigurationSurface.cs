using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lingcheng.Talent.Deploy.Tests.Support;

/// <summary>
/// The configuration keys a program reads (<see cref="ForProject"/>: its project and every project it references),
/// or all of them together (<see cref="FromRepository"/>), found in their sources: every key-shaped string literal
/// (<c>"Auth:ServiceTokenFile"</c>, <c>"DataDirectory"</c>), reads through a section variable
/// (<c>auth["Authority"]</c> after <c>var auth = ….GetSection("Auth")</c>), the properties of options classes
/// bound to a section (<c>Configure&lt;RegistryOptions&gt;(….GetSection("Registry"))</c>, nested classes too),
/// <c>ConnectionStrings:{name}</c> and <c>Services:{name}</c> for the names given to AddServiceDatabase and
/// AddServiceClient, and every key of the projects' appsettings.json files. Plus a short allow-list of keys the
/// framework and runtime read (below, each with why). A deployment setting outside this set is a setting no
/// code reads: a typo or a leftover, which silently does nothing. Array elements (<c>Identity:Web:BaseUrls:0</c>)
/// count as read when the array is.
/// </summary>
public sealed partial class ConfigurationSurface
{
    private readonly HashSet<string> _keys = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keys read by ASP.NET Core, .NET or OpenTelemetry rather than by the services' code.</summary>
    private static readonly (Regex Pattern, string Why)[] FrameworkKeys =
    [
        (new(@"^Kestrel:(Endpoints:\w+:(Url|Protocols|Certificate:(Path|KeyPath|Password))|Certificates:Default:(Path|KeyPath|Password)|EndpointDefaults:Protocols|Limits:\w+)$", RegexOptions.IgnoreCase),
            "Kestrel's endpoint and certificate configuration (KestrelConfigurationLoader)"),
        (new("^ASPNETCORE_(ENVIRONMENT|HTTP_PORTS|HTTPS_PORTS|URLS|FORWARDEDHEADERS_ENABLED)$"), "the ASP.NET Core host"),
        (new("^DOTNET_(gcServer|GCHeapHardLimit|GCHeapHardLimitPercent|TieredPGO|EnableDiagnostics|SYSTEM_GLOBALIZATION_INVARIANT)$"), "the .NET runtime (GC and runtime knobs)"),
        (new("^OTEL_(EXPORTER_OTLP_(ENDPOINT|PROTOCOL|HEADERS|TIMEOUT)|SERVICE_NAME|RESOURCE_ATTRIBUTES|METRIC_EXPORT_INTERVAL)$"), "the OpenTelemetry SDK's standard environment variables"),
        (new("^SSL_CERT_(FILE|DIR)$"), "the .NET runtime's OpenSSL trust store (System.Security.Cryptography.Native reads them)"),
        (new(@"^Logging:LogLevel:[\w.]+$"), "Microsoft.Extensions.Logging filter rules"),
        (new("^TZ$"), "the C library's time zone"),
    ];

    /// <summary>What any of the programs reads: every service project and the web app.</summary>
    public static ConfigurationSurface FromRepository(string root) =>
        FromFolders([Path.Combine(root, "services"), Path.Combine(root, "clients", "Lingcheng.Talent.Web")]);

    /// <summary>What one program reads: the folder of <paramref name="projectFile"/> and of every project it references, transitively.</summary>
    public static ConfigurationSurface ForProject(string projectFile) => FromFolders(ProjectClosure(projectFile).Select(Path.GetDirectoryName).OfType<string>());

    /// <summary>A project file and the project files it references (ProjectReference), transitively.</summary>
    public static IReadOnlyCollection<string> ProjectClosure(string projectFile)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(projectFile)]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            foreach (Match m in ProjectReference().Matches(File.ReadAllText(project)))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, m.Groups[1].Value.Replace('\\', '/'))));
            }
        }

        return seen;
    }

    private static ConfigurationSurface FromFolders(IEnumerable<string> folders)
    {
        var surface = new ConfigurationSurface();
        folders = folders.ToList();
        var sources = folders.SelectMany(f => Directory.EnumerateFiles(f, "*.cs", SearchOption.AllDirectories))
            .Where(f => !IsGenerated(f))
            .Distinct()
            .ToDictionary(f => f, File.ReadAllText);
        var all = string.Join('\n', sources.Values);

        foreach (var text in sources.Values)
        {
            // A literal with a section separator is a key path wherever it appears; a one-word literal counts
            // only where configuration is indexed with it (configuration["DataDirectory"]), since one-word
            // strings (service names, codes) are everywhere.
            foreach (Match m in StringLiteral().Matches(text))
            {
                if (KeyShape().IsMatch(m.Groups[1].Value) && m.Groups[1].Value.Contains(':'))
                {
                    surface._keys.Add(m.Groups[1].Value);
                }
            }

            foreach (Match m in TopLevelRead().Matches(text))
            {
                surface._keys.Add(m.Groups[1].Value);
            }

            foreach (Match section in SectionVariable().Matches(text))
            {
                var variable = section.Groups[1].Value;
                var name = section.Groups[2].Success ? section.Groups[2].Value : ConstSection(all, section.Groups[3].Value);
                if (name is null)
                {
                    continue;
                }

                foreach (Match read in new Regex($@"\b{variable}(?:\[""(\w+)""\]|\.GetValue(?:<[^>]+>)?\(""(\w+)"")").Matches(text))
                {
                    surface._keys.Add($"{name}:{read.Groups[1].Value}{read.Groups[2].Value}");
                }
            }

            foreach (Match m in DatabaseName().Matches(text))
            {
                surface._keys.Add("ConnectionStrings:" + m.Groups[1].Value);
            }

            foreach (Match m in ClientName().Matches(text))
            {
                surface._keys.Add("Services:" + m.Groups[1].Value);
            }

            foreach (Match m in OptionsBinding().Matches(text))
            {
                // The options class's section: its own constant (Section/SectionName), the literal in the same
                // Configure<T>(…GetSection("X")) statement, else the eShop convention RegistryOptions → "Registry".
                var type = m.Groups[1].Value;
                var statement = Regex.Match(text[m.Index..], @"^[^;]*").Value;
                var literal = Regex.Match(statement, @"GetSection\(""([\w:]+)""\)");
                var section = ConstSection(all, type)
                    ?? (literal.Success ? literal.Groups[1].Value : null)
                    ?? (type.EndsWith("Options", StringComparison.Ordinal) ? type[..^"Options".Length] : null);
                if (section is not null)
                {
                    surface.AddProperties(all, type, section, depth: 0);
                }
            }
        }

        foreach (var json in folders.SelectMany(f => Directory.EnumerateFiles(f, "appsettings*.json", SearchOption.AllDirectories)).Where(f => !IsGenerated(f)).Distinct())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            surface.AddJson(doc.RootElement, "");
        }

        return surface;
    }

    /// <summary>Whether the program(s) (or the framework, per the allow-list) read this key (<c>Section:Key</c>).</summary>
    public bool IsRead(string key)
    {
        var element = ArrayElement().Match(key);
        if (element.Success)
        {
            return IsRead(element.Groups[1].Value);
        }

        return _keys.Contains(key) || FrameworkKeys.Any(f => f.Pattern.IsMatch(key));
    }

    public IReadOnlyCollection<string> Keys => _keys;

    /// <summary>An environment variable's configuration key: <c>__</c> separates sections.</summary>
    public static string ToKey(string environmentVariable) => environmentVariable.Replace("__", ":", StringComparison.Ordinal);

    private void AddProperties(string sources, string type, string prefix, int depth)
    {
        var body = ClassBody(sources, type);
        if (body is null || depth > 4)
        {
            return;
        }

        foreach (Match p in Property().Matches(body))
        {
            var propertyType = p.Groups[1].Value.TrimEnd('?');
            var key = $"{prefix}:{p.Groups[2].Value}";
            if (ClassBody(sources, propertyType) is not null)
            {
                AddProperties(sources, propertyType, key, depth + 1);
            }
            else
            {
                _keys.Add(key);
            }
        }
    }

    private void AddJson(JsonElement element, string prefix)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                AddJson(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}:{property.Name}");
            }
        }
        else if (prefix.Length > 0)
        {
            _keys.Add(prefix);
        }
    }

    /// <summary>The text of <c>class Name { … }</c> up to its matching brace, or null when no such class is declared.</summary>
    private static string? ClassBody(string sources, string type)
    {
        var declaration = new Regex($@"\b(?:class|record)\s+{Regex.Escape(type)}\b[^{{;]*\{{").Match(sources);
        if (!declaration.Success)
        {
            return null;
        }

        var depth = 0;
        for (var i = declaration.Index + declaration.Length - 1; i < sources.Length; i++)
        {
            depth += sources[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return sources[declaration.Index..i];
            }
        }

        return null;
    }

    private static string? ConstSection(string sources, string type)
    {
        var body = ClassBody(sources, type);
        var m = body is null ? Match.Empty : Regex.Match(body, @"const\s+string\s+(?:Section|SectionName)\s*=\s*""([\w:]+)""");
        return m.Success ? m.Groups[1].Value : null;
    }

    private static bool IsGenerated(string path) =>
        path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) is var parts
        && (parts.Contains("bin") || parts.Contains("obj") || parts.Contains("Migrations"));

    [GeneratedRegex(@"^(.+):\d+$")]
    private static partial Regex ArrayElement();

    [GeneratedRegex(@"<ProjectReference\s+Include=""([^""]+)""")]
    private static partial Regex ProjectReference();

    [GeneratedRegex(@"""((?:[^""\\\n]|\\.)*)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex KeyShape();

    [GeneratedRegex(@"\b(\w+)\s*=\s*[\w.]*GetSection\((?:""([\w:]+)""|(\w+)\.\w+)\)")]
    private static partial Regex SectionVariable();

    [GeneratedRegex(@"[Cc]onfiguration\s*\[\s*""(\w+)""\s*\]|[Cc]onfiguration\.GetValue(?:<[^>]+>)?\(\s*""(\w+)""")]
    private static partial Regex TopLevelRead();

    [GeneratedRegex(@"AddServiceDatabase<[^>]+>\(\s*""(\w+)""")]
    private static partial Regex DatabaseName();

    [GeneratedRegex(@"AddServiceClient<[^>]+>\(\s*""(\w+)""")]
    private static partial Regex ClientName();

    [GeneratedRegex(@"\b(?:Configure|AddOptions|Get|Bind)<(\w+Options)>\(")]
    private static partial Regex OptionsBinding();

    [GeneratedRegex(@"public\s+(?:required\s+)?([\w<>?,\[\]]+)\s+(\w+)\s*\{\s*get;")]
    private static partial Regex Property();
}
