using System.Text.RegularExpressions;
using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.Deploy.Tests.Yaml;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// Least privilege in SQL Server (issue 25, item 3), as the deployment files and deploy/sql/accounts.sql state it:
/// every program connects as its own login to its own database (never sa), the migration jobs as the migration login
/// after the accounts job, every SQL password is a file read as configuration (never an environment variable), and
/// the script creates each login and user with its rights and the DENY on the audit table. What the rights do on a
/// real SQL Server is checked by <see cref="SqlServerAccountTests"/>.
/// </summary>
public sealed partial class DatabaseAccountTests
{
    /// <summary>The programs with a database: compose/Kubernetes name, configuration name.</summary>
    private static readonly (string Name, string Project)[] Programs =
        [("registry", "Registry"), ("entitlements", "Entitlements"), ("verification", "Verification"), ("identity", "Identity")];

    public static TheoryData<string, string> Databases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (name, project) in Programs)
            {
                data.Add(name, project);
            }

            return data;
        }
    }

    /// <summary>The five password variables of accounts.sql and the password file each comes from.</summary>
    public static readonly (string Variable, string File, string Login)[] Passwords =
    [
        ("MigrationPassword", "migrate.password", "lct_migrate"),
        ("RegistryPassword", "registry.password", "lct_registry"),
        ("EntitlementsPassword", "entitlements.password", "lct_entitlements"),
        ("VerificationPassword", "verification.password", "lct_verification"),
        ("IdentityPassword", "identity.password", "lct_identity"),
    ];

    private const string ConfigFolder = "/etc/lingcheng/config";

    private static readonly string Script = File.ReadAllText(DeployFiles.Path("deploy", "sql", "accounts.sql"));

    private readonly YamlMap _compose = DeployFiles.Compose();
    private readonly List<(string File, YamlMap Doc)> _kubernetes = DeployFiles.KubernetesDocuments();

    [Fact]
    public void No_connection_string_in_compose_or_kubernetes_logs_in_as_sa_or_carries_a_password()
    {
        var composeValues = _compose.Map("services").Select(s => (s.Key, (YamlMap)s.Value!))
            .SelectMany(s => DeployFiles.Environment(s.Item2).Select(e => ($"compose {s.Key}", e.Key, e.Value ?? "")));
        var kubernetesValues = KubernetesContainers()
            .SelectMany(c => c.Container.List("env").Cast<YamlMap>().Select(e => ($"kubernetes {c.Name}", e.Str("name")!, e.Str("value") ?? "")));
        var connections = composeValues.Concat(kubernetesValues).Where(v => UserId().IsMatch(v.Item3)).ToList();

        Assert.Equal(16, connections.Count); // four programs and four migration jobs, in compose and in Kubernetes
        Assert.All(connections, c =>
        {
            Assert.False(UserId().Match(c.Item3).Groups[1].Value.Equals("sa", StringComparison.OrdinalIgnoreCase), $"{c.Item1}: {c.Item2} logs in as sa");
            Assert.DoesNotMatch("(?i)(password|pwd)\\s*=", c.Item3);
            Assert.DoesNotMatch("(?i)TrustServerCertificate", c.Item3);
        });

        // The admin password reaches SQL Server itself and the accounts job, nobody else.
        var withAdminPassword = _compose.Map("services")
            .Where(s => DeployFiles.Environment((YamlMap)s.Value!).Values.Any(v => v?.Contains("MSSQL_SA_PASSWORD", StringComparison.Ordinal) == true))
            .Select(s => s.Key).Order();
        Assert.Equal(["sql-accounts", "sqlserver"], withAdminPassword);
        Assert.Equal("sa", DeployFiles.Environment(_compose.Map("services", "sql-accounts"))["SQL_ADMIN_USER"]);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void Each_program_connects_as_its_own_login_to_its_own_database_over_strict_tls(string name, string project)
    {
        var compose = DeployFiles.Environment(_compose.Map("services", name));
        var kubernetes = Env(KubernetesContainers().Single(c => c.Kind == "Deployment" && c.Name == name).Container);
        foreach (var env in new[] { compose, kubernetes })
        {
            Assert.Equal(["ConnectionStrings__" + project], env.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)));
            var connection = env["ConnectionStrings__" + project]!;
            Assert.Contains($";Database=Lingcheng{project};", connection);
            Assert.Equal("lct_" + name, UserId().Match(connection).Groups[1].Value);
            Assert.Matches("(?i);Encrypt=Strict(;|$)", connection);
            Assert.Equal(ConfigFolder, env["SecretFiles__Directory"]);
        }
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void Each_migration_job_connects_as_the_migration_login_after_the_accounts_job(string name, string project)
    {
        var job = _compose.Map("services", "migrate-" + name);
        var compose = DeployFiles.Environment(job);
        Assert.Equal("lct_migrate", UserId().Match(compose["ConnectionStrings__" + project]!).Groups[1].Value);
        Assert.Contains($";Database=Lingcheng{project};", compose["ConnectionStrings__" + project]);
        Assert.Equal("service_completed_successfully", job.Str("depends_on", "sql-accounts", "condition"));
        Assert.Equal(ConfigFolder, compose["SecretFiles__Directory"]);
        // Strict validates SQL Server's certificate against the internal CA: the job trusts it too.
        Assert.Contains("/etc/lingcheng/ca", compose["SSL_CERT_DIR"]);
        Assert.Equal($"{ConfigFolder}/ConnectionStringPasswords__{project}", SecretTargets(job)["sql-migrate.password"]);

        var kubernetes = Env(KubernetesContainers().Single(c => c.Kind == "Job" && c.Name == "migrate-" + name).Container);
        Assert.Equal("lct_migrate", UserId().Match(kubernetes["ConnectionStrings__" + project]!).Groups[1].Value);
        Assert.Contains($";Database=Lingcheng{project};", kubernetes["ConnectionStrings__" + project]);
    }

    [Fact]
    public void The_accounts_job_runs_once_after_sql_server_is_healthy_with_every_password_file()
    {
        var job = _compose.Map("services", "sql-accounts");
        var env = DeployFiles.Environment(job);
        Assert.Equal("service_healthy", job.Str("depends_on", "sqlserver", "condition"));
        Assert.Equal("no", job.Str("restart"));
        Assert.Equal("service:sqlserver", job.Str("network_mode")); // the sa password stays on SQL Server's loopback
        Assert.StartsWith("tcp:localhost,", env["SQL_SERVER"]);
        Assert.Equal(["/bin/bash", "/opt/lingcheng/sql/create-accounts.sh"], job.List("entrypoint").Cast<string>());
        Assert.Contains("../sql:/opt/lingcheng/sql:ro", job.List("volumes").Cast<string>());
        var targets = SecretTargets(job);
        Assert.Equal(Passwords.Select(p => $"{env["SQL_PASSWORD_DIRECTORY"]}/{p.File}").Order(), targets.Values.Order());
        foreach (var (source, target) in targets)
        {
            Assert.Equal("sql-" + Path.GetFileName(target), source);
            Assert.Equal($"${{SECRETS_DIRECTORY:-./secrets}}/sql/{Path.GetFileName(target)}", _compose.Str("secrets", source, "file"));
        }

        // Nothing else starts before it has run: every migration job waits for it, every program for its job.
        foreach (var (name, _) in DeployFiles.OwnComposeServices(_compose).Where(s => s.Name.StartsWith("migrate-", StringComparison.Ordinal)))
        {
            Assert.Equal("service_completed_successfully", _compose.Str("services", name, "depends_on", "sql-accounts", "condition"));
        }
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public void Each_sql_password_is_a_file_of_that_login_alone_named_as_its_configuration_key(string name, string project)
    {
        // compose: the program mounts its own password file into the secret-files folder, and no other SQL password.
        var service = _compose.Map("services", name);
        var targets = SecretTargets(service);
        Assert.Equal($"{ConfigFolder}/ConnectionStringPasswords__{project}", targets[$"sql-{name}.password"]);
        Assert.Equal([$"sql-{name}.password"], targets.Keys.Where(k => k.StartsWith("sql-", StringComparison.Ordinal)));
        Assert.All(targets.Values.Where(t => t.StartsWith(ConfigFolder + "/", StringComparison.Ordinal)),
            t => Assert.Equal($"{ConfigFolder}/ConnectionStringPasswords__{project}", t));

        // Kubernetes: the same file from the Secret, one item, group-readable by the pod's fsGroup.
        foreach (var (kind, pod) in new[] { ("Deployment", name), ("Job", "migrate-" + name) })
        {
            var (_, _, container, spec) = KubernetesContainers().Single(c => c.Kind == kind && c.Name == pod);
            var volume = spec.List("volumes").Cast<YamlMap>().Single(v => v.Str("secret", "secretName") == "lingcheng-talent-database");
            var item = (YamlMap)volume.List("secret", "items").Single()!;
            Assert.Equal(kind == "Job" ? "migrate.password" : name + ".password", item.Str("key"));
            Assert.Equal("ConnectionStringPasswords__" + project, item.Str("path"));
            var mount = container.List("volumeMounts").Cast<YamlMap>().Single(m => m.Str("name") == volume.Str("name"));
            Assert.Equal(Env(container)["SecretFiles__Directory"], mount.Str("mountPath"));
            Assert.Equal("true", mount.Str("readOnly"));
            Assert.Equal("1654", spec.Str("securityContext", "fsGroup"));
            Assert.DoesNotContain(container.List("env").Cast<YamlMap>(), e => e.Str("valueFrom", "secretKeyRef", "name") == "lingcheng-talent-database");
        }
    }

    [Fact]
    public void Sql_server_in_compose_has_a_certificate_from_the_internal_ca_and_forces_encryption()
    {
        var sql = _compose.Map("services", "sqlserver");
        Assert.Contains("./mssql.conf:/var/opt/mssql/mssql.conf:ro", sql.List("volumes").Cast<string>());
        Assert.Equal(["mssql.crt", "mssql.key"], sql.List("secrets").Cast<string>());
        var conf = File.ReadAllText(DeployFiles.Path("deploy", "compose", "mssql.conf"));
        Assert.Contains("tlscert = /run/secrets/mssql.crt", conf);
        Assert.Contains("tlskey = /run/secrets/mssql.key", conf);
        Assert.Contains("forceencryption = 1", conf);
    }

    [Fact]
    public void The_script_creates_each_login_and_user_with_rights_on_its_own_database_only()
    {
        Assert.Equal(Passwords.Select(p => p.Variable).Order(), SqlCmdScript.Variables(Script).Order());
        foreach (var (variable, _, login) in Passwords)
        {
            var database = login == "lct_migrate" ? "master" : "Lingcheng" + Capitalized(login["lct_".Length..]);
            Assert.Contains($"EXEC #lct_login N'{login}', N'$({variable})', N'{database}';", Script);
        }

        foreach (var (name, project) in Programs)
        {
            Assert.Contains($"IF DB_ID(N'Lingcheng{project}') IS NULL CREATE DATABASE [Lingcheng{project}];", Script);
            Assert.Contains($"EXEC #lct_user N'Lingcheng{project}', N'lct_migrate', 'migration';", Script);
            // The program's user in its own database, and in no other.
            var users = UserCall().Matches(Script).Where(m => m.Groups[2].Value == "lct_" + name).ToList();
            Assert.Equal([($"Lingcheng{project}", "service")], users.Select(m => (m.Groups[1].Value, m.Groups[3].Value)));
        }

        // The rights of each kind, and the DENY on the audit table (directly, and by the trigger for tables created later).
        Assert.Contains("(@kind = ''service'' AND p.name IN (N''db_datareader'', N''db_datawriter''))", Script);
        Assert.Contains("(@kind = ''migration'' AND p.name = N''db_owner'')", Script);
        Assert.Contains("DENY UPDATE, DELETE ON OBJECT::dbo.AuditRecords TO '' + QUOTENAME(@login)", Script);
        Assert.Contains("DENY UPDATE, DELETE ON OBJECT::dbo.AuditRecords TO ' + QUOTENAME(@login)", Script);
        Assert.Contains("ON DATABASE FOR CREATE_TABLE, RENAME", Script);
        Assert.Contains("PWDCOMPARE(@password, password_hash) = 1", Script); // a re-run does not touch an unchanged password
    }

    [Fact]
    public void The_script_parses_into_batches_with_the_five_passwords_and_refuses_a_missing_one()
    {
        var variables = Passwords.ToDictionary(p => p.Variable, _ => "Lc9-example-password");
        var batches = SqlCmdScript.Batches(Script, variables);
        Assert.True(batches.Count >= 6, $"{batches.Count} batches");
        Assert.DoesNotContain(batches, b => b.Contains("$(", StringComparison.Ordinal));
        // CREATE PROCEDURE must open its batch (comments aside).
        var procedure = batches.Single(b => b.Contains("CREATE PROCEDURE #lct_login", StringComparison.Ordinal));
        Assert.StartsWith("CREATE PROCEDURE #lct_login", string.Join('\n', procedure.Trim().Split('\n').SkipWhile(l => l.StartsWith("--", StringComparison.Ordinal))));

        variables.Remove("IdentityPassword");
        Assert.Throws<KeyNotFoundException>(() => SqlCmdScript.Batches(Script, variables));
    }

    [Fact]
    public void The_runner_script_passes_every_password_file_to_sqlcmd_through_the_environment()
    {
        var runner = File.ReadAllText(DeployFiles.Path("deploy", "sql", "create-accounts.sh"));
        foreach (var (variable, file, _) in Passwords)
        {
            Assert.Matches($@"{variable}=""\$\(password {Path.GetFileNameWithoutExtension(file)}\)""", runner);
            Assert.Matches($@"export [^\n]*\b{variable}\b", runner);
        }

        var invocation = runner.Split('\n').Single(l => l.StartsWith("exec \"$sqlcmd\"", StringComparison.Ordinal));
        Assert.Contains("-i \"$here/accounts.sql\"", invocation);
        Assert.Contains(" -b ", invocation);
        Assert.DoesNotContain(" -v ", invocation); // never a password on sqlcmd's command line
        Assert.DoesNotContain(" -P ", invocation);
    }

    [Fact]
    public async Task Make_secrets_creates_every_file_compose_mounts()
    {
        if (Tool.Find("openssl") is null || Tool.Find("bash") is null)
        {
            Assert.Skip("openssl or bash is not installed; make-secrets.sh cannot run here.");
        }

        var folder = Directory.CreateTempSubdirectory("lct-secrets-").FullName;
        try
        {
            var (exit, _, error) = await Tool.RunAsync(Tool.Find("bash")!, [DeployFiles.Path("deploy", "compose", "make-secrets.sh"), folder]);
            Assert.True(exit == 0, error);
            foreach (var (name, secret) in _compose.Map("secrets"))
            {
                var file = ((YamlMap)secret!).Str("file")!.Replace("${SECRETS_DIRECTORY:-./secrets}", folder, StringComparison.Ordinal);
                Assert.True(File.Exists(file), $"make-secrets.sh does not create {name} ({file})");
            }

            foreach (var (_, file, _) in Passwords)
            {
                var password = File.ReadAllText(Path.Combine(folder, "sql", file)).Trim();
                // SQL Server's policy (three of four kinds) and the script's rules (12+ characters, no quote).
                Assert.True(password.Length >= 12 && !password.Contains('\''), file);
                Assert.True(new[] { "[A-Z]", "[a-z]", "[0-9]", "[^A-Za-z0-9]" }.Count(c => Regex.IsMatch(password, c)) >= 3, file);
            }

            // Running it again keeps every file as it is.
            var before = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);
            (exit, _, error) = await Tool.RunAsync(Tool.Find("bash")!, [DeployFiles.Path("deploy", "compose", "make-secrets.sh"), folder]);
            Assert.True(exit == 0, error);
            Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllText(f.Key)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Operations_md_documents_the_accounts_their_rights_and_how_to_rotate_a_password()
    {
        var docs = File.ReadAllText(DeployFiles.Path("docs", "operations.md"));
        foreach (var (_, file, login) in Passwords)
        {
            Assert.Contains(login, docs);
            Assert.Contains(file, docs);
        }

        Assert.Contains("deploy/sql/create-accounts.sh", docs);
        Assert.Contains("DENY UPDATE, DELETE", docs);
        Assert.Contains("Encrypt=Strict", docs);
        Assert.Contains("Rotating a SQL password", docs);
    }

    private IEnumerable<(string Kind, string Name, YamlMap Container, YamlMap Spec)> KubernetesContainers() =>
        _kubernetes.Select(d => d.Doc).Where(d => d.Str("kind") is "Deployment" or "Job")
            .SelectMany(d => d.List("spec", "template", "spec", "containers").Cast<YamlMap>()
                .Select(c => (d.Str("kind")!, d.Str("metadata", "name")!, c, d.Map("spec", "template", "spec"))));

    private static Dictionary<string, string?> Env(YamlMap container) =>
        container.List("env").Cast<YamlMap>().ToDictionary(e => e.Str("name")!, e => e.Str("value"));

    /// <summary>A compose service's secrets as source → target (the short form's target is /run/secrets/source).</summary>
    private static Dictionary<string, string> SecretTargets(YamlMap service) =>
        service.List("secrets").ToDictionary(
            s => s as string ?? ((YamlMap)s!).Str("source")!,
            s => s as string is { } name ? "/run/secrets/" + name : ((YamlMap)s!).Str("target") ?? "/run/secrets/" + ((YamlMap)s).Str("source"));

    private static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>The login of a connection string: <c>UID</c>, or its synonyms <c>User Id</c> and <c>User</c>.</summary>
    [GeneratedRegex(@"(?i)(?:^|;)\s*(?:UID|User Id|User)\s*=\s*([^;]*)")]
    private static partial Regex UserId();

    [GeneratedRegex(@"EXEC #lct_user N'(\w+)', N'(\w+)', '(\w+)';")]
    private static partial Regex UserCall();
}
