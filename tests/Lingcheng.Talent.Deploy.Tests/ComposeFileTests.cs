using System.Text.RegularExpressions;
using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.Deploy.Tests.Yaml;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>deploy/compose/compose.yaml: one `docker compose up` for a district server (issue 10).</summary>
public sealed partial class ComposeFileTests
{
    private readonly YamlMap _compose = DeployFiles.Compose();

    [Fact]
    public void The_compose_file_has_sql_server_the_three_migration_jobs_and_the_three_services()
    {
        var names = _compose.Map("services").Keys.Order().ToList();
        Assert.Equal(
            ["entitlements", "migrate-entitlements", "migrate-registry", "migrate-verification", "registry", "sqlserver", "verification"],
            names);
        var sql = _compose.Map("services", "sqlserver");
        Assert.Equal("mcr.microsoft.com/mssql/server:2022-latest", sql.Str("image"));
        Assert.Contains(sql.List("volumes").Cast<string>(), v => v.StartsWith("mssql-data:/var/opt/mssql", StringComparison.Ordinal));
        Assert.True(_compose.Map("volumes").ContainsKey("mssql-data"));
        Assert.NotNull(sql.MapOrNull("healthcheck"));
    }

    [Theory]
    [InlineData("registry", "Registry")]
    [InlineData("entitlements", "Entitlements")]
    [InlineData("verification", "Verification")]
    public void Each_migration_job_runs_the_service_image_with_migrate_after_sql_server_is_healthy(string service, string project)
    {
        var job = _compose.Map("services", "migrate-" + service);
        var app = _compose.Map("services", service);
        Assert.Equal(["migrate"], job.List("command").Cast<string>());
        Assert.Equal(app.Str("image"), job.Str("image"));
        Assert.Equal(project, job.Str("build", "args", "SERVICE"));
        Assert.Equal("service_healthy", job.Str("depends_on", "sqlserver", "condition"));
        Assert.Equal("SqlServer", DeployFiles.Environment(job)["Database__Provider"]);
        Assert.Contains("ConnectionStrings__" + project, DeployFiles.Environment(job).Keys);

        // The service starts only after its database is migrated, and never migrates itself.
        Assert.Equal("service_completed_successfully", app.Str("depends_on", "migrate-" + service, "condition"));
        Assert.Equal("false", DeployFiles.Environment(app)["Database__MigrateOnStartup"]);
    }

    [Theory]
    [InlineData("registry", "Registry")]
    [InlineData("entitlements", "Entitlements")]
    [InlineData("verification", "Verification")]
    public void Each_service_serves_tls_on_8443_with_a_mounted_certificate_and_sql_server(string service, string project)
    {
        var app = _compose.Map("services", service);
        var env = DeployFiles.Environment(app);
        Assert.Equal("SqlServer", env["Database__Provider"]);
        Assert.Matches("^Server=sqlserver,1433;Database=Lingcheng" + project + ";", env["ConnectionStrings__" + project]);
        Assert.Equal("https://0.0.0.0:8443", env["Kestrel__Endpoints__Https__Url"]);
        Assert.Equal("Http1AndHttp2", env["Kestrel__Endpoints__Https__Protocols"]);
        Assert.StartsWith("${AUTH_AUTHORITY:?", env["Auth__Authority"]);
        Assert.NotNull(env["Auth__Audience"]);

        // Every file a setting points at under /run/secrets is a secret this service mounts, declared from a file.
        var mounted = app.List("secrets").Select(s => s as string ?? ((YamlMap)s!).Str("source")).ToHashSet();
        var declared = _compose.Map("secrets");
        foreach (var (name, value) in env.Where(e => e.Value?.StartsWith("/run/secrets/", StringComparison.Ordinal) == true))
        {
            var secret = value!["/run/secrets/".Length..];
            Assert.True(mounted.Contains(secret), $"{service}: {name} points at /run/secrets/{secret}, which it does not mount");
        }

        foreach (var secret in mounted)
        {
            Assert.True(declared.MapOrNull(secret!)?.Str("file") is not null, $"secret {secret} is not declared with a file");
        }

        Assert.Contains(env, e => e.Key == "Kestrel__Certificates__Default__Path");
        Assert.Contains(env, e => e.Key == "Kestrel__Certificates__Default__KeyPath");
    }

    [Fact]
    public void Only_the_verification_service_publishes_a_port()
    {
        var publishing = _compose.Map("services").Where(s => ((YamlMap)s.Value!).List("ports").Count > 0).Select(s => s.Key).ToList();
        Assert.Equal(["verification"], publishing);
        var port = (string)_compose.List("services", "verification", "ports").Single()!;
        Assert.EndsWith(":8443", port);
    }

    [Fact]
    public void The_services_find_each_other_over_tls_by_their_compose_names()
    {
        foreach (var (name, service) in DeployFiles.OwnComposeServices(_compose))
        {
            foreach (var (key, value) in DeployFiles.Environment(service).Where(e => e.Key.StartsWith("Services__", StringComparison.Ordinal)))
            {
                var target = key["Services__".Length..].ToLowerInvariant();
                Assert.Equal($"https://{target}:8443", value);
                Assert.True(_compose.Map("services").ContainsKey(target), $"{name}: {key} names no compose service");
                Assert.Equal("service_healthy", service.Str("depends_on", target, "condition"));
            }
        }

        // The entitlement and verification services call others, so they carry a service token.
        foreach (var caller in new[] { "entitlements", "verification" })
        {
            Assert.Equal("/run/secrets/service-token", DeployFiles.Environment(_compose.Map("services", caller))["Auth__ServiceTokenFile"]);
        }
    }

    [Fact]
    public void No_secret_value_is_written_in_the_compose_file()
    {
        foreach (var (name, service) in _compose.Map("services").Select(s => (s.Key, (YamlMap)s.Value!)))
        {
            foreach (var (key, value) in DeployFiles.Environment(service))
            {
                var password = Regex.Match(value ?? "", "(?i)(password|pwd)=([^;]*)");
                Assert.True(!password.Success || password.Groups[2].Value.StartsWith("${", StringComparison.Ordinal),
                    $"{name}: {key} holds a literal password; take it from .env");
                Assert.DoesNotMatch("(?i)(BEGIN [A-Z ]*PRIVATE KEY|eyJ[A-Za-z0-9_-]{10,}\\.)", value ?? "");
            }
        }
    }

    [Fact]
    public void Every_variable_the_compose_file_interpolates_is_listed_in_env_example()
    {
        var text = File.ReadAllText(DeployFiles.ComposeFile) + File.ReadAllText(DeployFiles.Path("deploy", "compose", "compose.office.yaml"));
        var used = Interpolation().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
        var listed = File.ReadAllLines(DeployFiles.Path("deploy", "compose", ".env.example"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[..l.IndexOf('=')]).ToHashSet();
        // OFFICE_BIND_ADDRESS belongs to the optional office override and is given on its command line.
        used.Remove("OFFICE_BIND_ADDRESS");
        Assert.Empty(used.Except(listed));
    }

    [Fact]
    public void The_office_override_publishes_registry_and_entitlements_only()
    {
        var office = (YamlMap)MiniYaml.Parse(File.ReadAllText(DeployFiles.Path("deploy", "compose", "compose.office.yaml")))!;
        Assert.Equal(["registry", "entitlements"], office.Map("services").Keys);
        Assert.All(office.Map("services").Values, s => Assert.All(((YamlMap)s!).List("ports").Cast<string>(), p => Assert.StartsWith("${OFFICE_BIND_ADDRESS", p)));
    }

    [Fact]
    public async Task Docker_compose_accepts_the_file_when_it_is_installed()
    {
        var tool = Tool.Find("docker-compose");
        if (tool is null)
        {
            Assert.Skip("docker-compose is not installed (apt-get install docker-compose); the structural tests above still ran.");
        }

        // Required variables (${X:?…}) need values; the secret files need not exist for `config`.
        var (exit, _, error) = await Tool.RunAsync(tool, ["-f", "compose.yaml", "-f", "compose.office.yaml", "--env-file", ".env.example", "config", "-q"],
            DeployFiles.Path("deploy", "compose"), new Dictionary<string, string> { ["MSSQL_SA_PASSWORD"] = "Example-Passw0rd" });
        Assert.True(exit == 0, $"docker-compose config failed: {error}");
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Interpolation();
}
