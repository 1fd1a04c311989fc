using System.Diagnostics;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Reliability.Tests;

/// <summary>
/// A start that never half-happens (issue 27, docs/operations.md §1): services started together on an
/// empty data folder all come up, whatever they race on (the development token key, the personal-data
/// key, SQLite files and migrations, the registry's first signing key), and a service that cannot start
/// says why in one line and exits 1.
/// </summary>
public sealed class FirstStartTests
{
    /// <summary>Rounds of the three-together start; the race of issue 27 showed up "now and then".</summary>
    private const int Rounds = 3;

    [Fact]
    public async Task The_three_services_started_together_on_an_empty_data_folder_always_all_come_up()
    {
        var took = new List<TimeSpan>();
        for (var round = 1; round <= Rounds; round++)
        {
            var data = NewDataFolder();
            var (registry, entitlements, verification) = (ServiceProcess.FreePort(), ServiceProcess.FreePort(), ServiceProcess.FreePort());
            // No key file made beforehand: the three create the development key themselves, as on a first run.
            var env = new Dictionary<string, string>
            {
                ["DataDirectory"] = data,
                ["Services__Registry"] = $"http://127.0.0.1:{registry}",
                ["Services__Entitlements"] = $"http://127.0.0.1:{entitlements}",
                ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
                ["Registry__EventHeartbeatSeconds"] = "1",
            };
            var clock = Stopwatch.StartNew();
            var starts = new[]
            {
                ServiceProcess.StartAsync("Registry", registry, env, TimeSpan.FromSeconds(60)),
                ServiceProcess.StartAsync("Entitlements", entitlements, env, TimeSpan.FromSeconds(60)),
                ServiceProcess.StartAsync("Verification", verification, env, TimeSpan.FromSeconds(60)),
            };
            try
            {
                var up = await Task.WhenAll(starts);
                took.Add(clock.Elapsed);

                // Up means usable: a token minted from the key they agreed on is accepted by all three.
                var tokens = DevelopmentTokens.FromFile(Path.Combine(data, "keys", "dev-jwt.key"), createIfMissing: false);
                var auditor = TalentSystem.Bearer(tokens.Mint(Roles.Auditor, "first-start"));
                await new TalentRegistryService.TalentRegistryServiceClient(up[0].Channel).GetTrustListAsync(new GetTrustListRequest(), auditor);
                await new EntitlementService.EntitlementServiceClient(up[1].Channel).ListBenefitsAsync(new ListBenefitsRequest(), auditor);
                await new VerificationService.VerificationServiceClient(up[2].Channel).ListAgenciesAsync(new ListAgenciesRequest(), auditor);
                Assert.Empty(Directory.GetFiles(Path.Combine(data, "keys"), "*.tmp"));
            }
            finally
            {
                foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
                {
                    await (await start).DisposeAsync();
                }

                DeleteFolder(data);
            }
        }

        TestContext.Current.SendDiagnosticMessage("First starts, three together: {0}", string.Join(", ", took.Select(t => $"{t.TotalSeconds:0.0} s")));
    }

    [Fact]
    public async Task Two_registries_started_together_on_one_empty_database_create_one_signing_key()
    {
        var data = NewDataFolder();
        var env = new Dictionary<string, string> { ["DataDirectory"] = data, ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0" };
        var starts = new[]
        {
            ServiceProcess.StartAsync("Registry", ServiceProcess.FreePort(), env, TimeSpan.FromSeconds(60)),
            ServiceProcess.StartAsync("Registry", ServiceProcess.FreePort(), env, TimeSpan.FromSeconds(60)),
        };
        try
        {
            var up = await Task.WhenAll(starts);
            var tokens = DevelopmentTokens.FromFile(Path.Combine(data, "keys", "dev-jwt.key"), createIfMissing: false);
            var auditor = TalentSystem.Bearer(tokens.Mint(Roles.Auditor, "first-start"));
            var first = await new TalentRegistryService.TalentRegistryServiceClient(up[0].Channel).GetTrustListAsync(new GetTrustListRequest(), auditor);
            var second = await new TalentRegistryService.TalentRegistryServiceClient(up[1].Channel).GetTrustListAsync(new GetTrustListRequest(), auditor);

            var key = Assert.Single(first.Keys);
            Assert.Equal(key.Kid, Assert.Single(second.Keys).Kid);
            Assert.Single(Directory.GetFiles(Path.Combine(data, "keys"), "personal-data.key*"));
        }
        finally
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }

            DeleteFolder(data);
        }
    }

    [Fact]
    public async Task A_service_that_cannot_start_exits_1_with_one_line_saying_why()
    {
        var data = NewDataFolder();
        try
        {
            // A setting missing before anything runs: SQL Server chosen, no connection string.
            var unconfigured = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                ServiceProcess.StartAsync("Registry", ServiceProcess.FreePort(), new Dictionary<string, string>
                {
                    ["DataDirectory"] = data,
                    ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
                    ["Database__Provider"] = "SqlServer",
                }, TimeSpan.FromSeconds(60)));

            // Production settings (an OIDC authority) without the personal-data key it must never invent.
            var keyless = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                ServiceProcess.StartAsync("Registry", ServiceProcess.FreePort(), new Dictionary<string, string>
                {
                    ["DataDirectory"] = data,
                    ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
                    ["Auth__Authority"] = "https://login.lingcheng.example",
                }, TimeSpan.FromSeconds(60)));

            AssertOneLine(unconfigured.Message, "ConnectionStrings:Registry is required");
            AssertOneLine(keyless.Message, "No personal-data key");
        }
        finally
        {
            DeleteFolder(data);
        }

        static void AssertOneLine(string failure, string why)
        {
            Assert.Contains("exited with code 1 while starting", failure);
            var lines = failure.Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
            var reason = Assert.Single(lines, l => l.StartsWith("registry cannot start: ", StringComparison.Ordinal));
            Assert.Contains(why, reason, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
        }
    }

    private static string NewDataFolder()
    {
        var data = Path.Combine(Path.GetTempPath(), "lct-tests", "first-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return data;
    }

    private static void DeleteFolder(string data)
    {
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
