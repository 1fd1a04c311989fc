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
    public void The_compose_file_has_sql_server_the_migration_jobs_the_services_the_identity_provider_and_the_web_app()
    {
        var names = _compose.Map("services").Keys.Order().ToList();
        Assert.Equal(
            ["entitlements", "identity", "migrate-entitlements", "migrate-identity", "migrate-registry", "migrate-verification", "registry", "sql-accounts", "sqlserver", "verification", "web"],
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
    [InlineData("identity", "Identity")]
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
        Assert.Equal(app.List("profiles").Cast<string>(), job.List("profiles").Cast<string>());
    }

    [Fact]
    public void The_identity_provider_is_on_by_default_and_the_others_trust_it_unless_an_external_authority_is_set()
    {
        // Its profile is switched on by the example settings; without it (an external authority) nothing else is.
        Assert.Equal(["identity"], _compose.List("services", "identity", "profiles").Cast<string>());
        Assert.Contains("COMPOSE_PROFILES=identity", File.ReadAllLines(DeployFiles.Path("deploy", "compose", ".env.example")));
        foreach (var (name, service) in _compose.Map("services").Select(s => (s.Key, (YamlMap)s.Value!)).Where(s => !s.Key.Contains("identity", StringComparison.Ordinal)))
        {
            Assert.Empty(service.List("profiles"));
            if (service.MapOrNull("depends_on")?.MapOrNull("identity") is { } dependency)
            {
                Assert.Equal("false", dependency.Str("required")); // an external authority leaves the provider out
                Assert.Equal("service_healthy", dependency.Str("condition"));
            }
        }

        var identity = DeployFiles.Environment(_compose.Map("services", "identity"));
        Assert.StartsWith("${PUBLIC_IDENTITY_URL:?", identity["Identity__Issuer"]);
        Assert.StartsWith("${PUBLIC_WEB_URL:?", identity["Identity__Web__BaseUrls__0"]);

        // Whoever validates or requests tokens trusts AUTH_AUTHORITY when it is set, else the provider's issuer.
        foreach (var program in new[] { "registry", "entitlements", "verification", "web" })
        {
            Assert.Equal("${AUTH_AUTHORITY:-${PUBLIC_IDENTITY_URL}}", DeployFiles.Environment(_compose.Map("services", program))["Auth__Authority"]);
        }
    }

    [Fact]
    public void The_identity_provider_finds_its_keys_and_every_client_secret_in_its_keys_folder()
    {
        var identity = _compose.Map("services", "identity");
        var folder = DeployFiles.Environment(identity)["Identity__KeysDirectory"]!;
        var targets = identity.List("secrets").OfType<YamlMap>().ToDictionary(s => s.Str("source")!, s => s.Str("target")!);
        Assert.Equal($"{folder}/identity-signing.key", targets["identity-signing.key"]);
        Assert.Equal($"{folder}/identity-encryption.key", targets["identity-encryption.key"]);
        foreach (var client in new[] { "lingcheng-web", "registry", "entitlements", "verification" })
        {
            Assert.Equal($"{folder}/clients/{client}.secret", targets[client + ".secret"]);
        }

        // Data protection is written: a volume, kept across restarts.
        Assert.Contains(identity.List("volumes").Cast<string>(), v => v == $"identity-data-protection:{folder}/identity-data-protection");
        Assert.True(_compose.Map("volumes").ContainsKey("identity-data-protection"));

        // So is the web app's ({DataDirectory}/web-data-protection): people stay signed in when it restarts.
        Assert.Contains(_compose.Map("services", "web").List("volumes").Cast<string>(), v => v == "web-data-protection:/var/lib/lingcheng/web-data-protection");
        Assert.True(_compose.Map("volumes").ContainsKey("web-data-protection"));

        // The migration job never sees the keys: it gets throw-away ones in its tmpfs (its one secret is the migration
        // login's SQL password).
        var job = _compose.Map("services", "migrate-identity");
        Assert.Equal(["sql-migrate.password"], job.List("secrets").Select(s => s as string ?? ((YamlMap)s!).Str("source")));
        Assert.StartsWith("/tmp/", DeployFiles.Environment(job)["Identity__KeysDirectory"]);
    }

    [Theory]
    [InlineData("entitlements", "entitlements")]
    [InlineData("verification", "verification")]
    [InlineData("web", "lingcheng-web")]
    public void Each_client_of_the_provider_has_its_own_secret_and_no_other(string service, string clientId)
    {
        var app = _compose.Map("services", service);
        var env = DeployFiles.Environment(app);
        Assert.Equal(clientId, env["Auth__ClientId"]);
        Assert.Equal($"/run/secrets/{clientId}.secret", env["Auth__ClientSecretFile"]);
        var secrets = app.List("secrets").Select(s => s as string ?? ((YamlMap)s!).Str("source")).ToList();
        Assert.Equal([$"{clientId}.secret"], secrets.Where(s => s!.EndsWith(".secret", StringComparison.Ordinal)));
        Assert.Equal($"${{SECRETS_DIRECTORY:-./secrets}}/clients/{clientId}.secret", _compose.Str("secrets", clientId + ".secret", "file"));
        Assert.DoesNotContain("Auth__ServiceTokenFile", env.Keys);
    }

    [Theory]
    [InlineData("registry", "Registry")]
    [InlineData("entitlements", "Entitlements")]
    [InlineData("verification", "Verification")]
    [InlineData("identity", "Identity")]
    [InlineData("web", "Web")]
    public void Each_program_serves_tls_on_8443_with_a_mounted_certificate(string service, string project)
    {
        var app = _compose.Map("services", service);
        var env = DeployFiles.Environment(app);
        Assert.Equal("https://0.0.0.0:8443", env["Kestrel__Endpoints__Https__Url"]);
        if (project is "Identity" or "Web")
        {
            Assert.Equal("Http1", env["Kestrel__Endpoints__Https__Protocols"]); // browser pages; Blazor's WebSockets
        }
        else
        {
            Assert.Equal("Http1AndHttp2", env["Kestrel__Endpoints__Https__Protocols"]);
            Assert.NotNull(env["Auth__Authority"]);
            Assert.NotNull(env["Auth__Audience"]);
        }

        if (project != "Web")
        {
            Assert.Equal("SqlServer", env["Database__Provider"]);
            Assert.Matches("^Server=sqlserver,1433;Database=Lingcheng" + project + ";", env["ConnectionStrings__" + project]);
        }

        Assert.Contains(app.List("volumes").Cast<string>(), v => v.EndsWith(":/etc/lingcheng/ca/ca.crt:ro", StringComparison.Ordinal));
        Assert.Equal("true", app.Str("read_only"));
        Assert.Equal(["ALL"], app.List("cap_drop").Cast<string>());

        // Every file a setting points at under /run/secrets is a secret this service mounts (by name, or at a target
        // of that name), declared from a file.
        var mounted = app.List("secrets").Select(s => s as string ?? ((YamlMap)s!).Str("source")).ToHashSet();
        var paths = app.List("secrets").Select(s => s as string ?? ((YamlMap)s!).Str("target") ?? ((YamlMap)s!).Str("source")).ToHashSet();
        var declared = _compose.Map("secrets");
        foreach (var (name, value) in env.Where(e => e.Value?.StartsWith("/run/secrets/", StringComparison.Ordinal) == true))
        {
            var secret = value!["/run/secrets/".Length..];
            Assert.True(paths.Contains(secret), $"{service}: {name} points at /run/secrets/{secret}, which it does not mount");
        }

        foreach (var secret in mounted)
        {
            Assert.True(declared.MapOrNull(secret!)?.Str("file") is not null, $"secret {secret} is not declared with a file");
        }

        Assert.Contains(env, e => e.Key == "Kestrel__Certificates__Default__Path");
        Assert.Contains(env, e => e.Key == "Kestrel__Certificates__Default__KeyPath");
    }

    [Fact]
    public void Only_verification_the_identity_provider_and_the_web_app_publish_a_port()
    {
        var publishing = _compose.Map("services").Where(s => ((YamlMap)s.Value!).List("ports").Count > 0).Select(s => s.Key).Order().ToList();
        Assert.Equal(["identity", "verification", "web"], publishing);
        foreach (var service in publishing)
        {
            var port = (string)_compose.List("services", service, "ports").Single()!;
            Assert.Matches(@"^\$\{[A-Z]+_PUBLISH:-\d+\}:8443$", port);
        }
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

        // Whoever calls a service with its own token gets one by client credentials (the web app and the provider
        // call with the signed-in person's token, and have Services__ addresses too).
        foreach (var (name, service) in DeployFiles.OwnComposeServices(_compose).Where(s => s.Name is "entitlements" or "verification"))
        {
            Assert.Equal(name, DeployFiles.Environment(service)["Auth__ClientId"]);
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
        var office = (YamlMap)YamlFiles.Parse(File.ReadAllText(DeployFiles.Path("deploy", "compose", "compose.office.yaml")))!;
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
