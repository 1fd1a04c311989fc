using System.Text.RegularExpressions;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// A service run from its own folder keeps its databases and keys in <c>./data</c> (ServiceDefaults'
/// DataDirectory default): no such folder may be committed by accident (issue 25, Low).
/// </summary>
public sealed class GitIgnoreTests
{
    [Fact]
    public void The_gitignore_covers_the_data_folder_of_every_service_client_and_deploy_project()
    {
        var patterns = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".gitignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('!'))
            .ToList();
        var folders = new[] { "services", "clients", "deploy" }
            .SelectMany(top => Directory.GetDirectories(Path.Combine(RepoPaths.Root, top)))
            .Select(d => Path.GetRelativePath(RepoPaths.Root, d).Replace('\\', '/') + "/data/")
            .Append("data/")
            .Append("deploy/compose/nested/data/")
            .ToList();

        var uncovered = folders.Where(f => !patterns.Any(p => Matches(p, f))).ToList();

        Assert.True(uncovered.Count == 0, "not ignored: " + string.Join(", ", uncovered));
    }

    /// <summary>Enough of gitignore's matching for folder patterns: a leading or inner slash anchors, <c>*</c> stays in a segment, <c>**</c> spans segments.</summary>
    private static bool Matches(string pattern, string folder)
    {
        var anchored = pattern.TrimEnd('/').Contains('/');
        var body = pattern.TrimStart('/');
        if (!body.EndsWith('/'))
        {
            body += "/";
        }

        var regex = Regex.Escape(body).Replace(@"\*\*/", "(.*/)?").Replace(@"\*", "[^/]*");
        return Regex.IsMatch(folder, (anchored ? "^" : "(^|/)") + regex + "$");
    }
}
