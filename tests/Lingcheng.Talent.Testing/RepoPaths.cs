namespace Lingcheng.Talent.Testing;

/// <summary>Finds the repository and the built services from a test's output folder.</summary>
public static class RepoPaths
{
    /// <summary>The build configuration the tests were built in; services are started from the same one.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string Root { get; } = FindRoot();

    /// <summary>The built service assembly, e.g. <c>services/Lingcheng.Talent.Registry/bin/Debug/net10.0/Lingcheng.Talent.Registry.dll</c>.</summary>
    public static string ServiceAssembly(string service)
    {
        var name = $"Lingcheng.Talent.{service}";
        var path = Path.Combine(Root, "services", name, "bin", Configuration, "net10.0", name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lingcheng.Talent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find Lingcheng.Talent.sln above " + AppContext.BaseDirectory);
    }
}
