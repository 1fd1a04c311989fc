using Lingcheng.Talent.Deploy.Tests.Support;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// deploy/sql/accounts.sql on a real SQL Server 2022 (Testcontainers; skipped, never passed, where no Docker engine
/// answers): run twice it changes nothing, the migration login migrates, and each service's login can append to its
/// audit chain but not rewrite it, nor create a table, nor open another service's database.
/// </summary>
public sealed class SqlServerAccountTests(SqlServerFixture sql) : IClassFixture<SqlServerFixture>
{
    private static readonly string Script = File.ReadAllText(DeployFiles.Path("deploy", "sql", "accounts.sql"));

    private static readonly string[] Databases = ["LingchengRegistry", "LingchengEntitlements", "LingchengVerification", "LingchengIdentity"];

    /// <summary>SQL Server's "permission denied" (229), "CREATE TABLE permission denied" (262), "cannot open database" (4060).</summary>
    private const int PermissionDenied = 229, CreateTableDenied = 262, CannotOpenDatabase = 4060;

    [Fact]
    public async Task The_script_run_twice_changes_nothing_and_a_service_cannot_rewrite_its_audit_records_nor_create_a_table()
    {
        sql.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        var passwords = DatabaseAccountTests.Passwords.ToDictionary(p => p.Variable, _ => "Lc9-" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        string Password(string login) => passwords[DatabaseAccountTests.Passwords.Single(p => p.Login == login).Variable];

        var first = await SqlCmdScript.RunAsync(sql.AdminConnectionString(), Script, passwords, ct);
        Assert.Contains(first, m => m.Contains("created login lct_verification", StringComparison.Ordinal));
        var afterFirst = await SnapshotAsync(ct);
        var second = await SqlCmdScript.RunAsync(sql.AdminConnectionString(), Script, passwords, ct);
        Assert.Empty(second); // nothing created, set or denied again
        Assert.Equal(afterFirst, await SnapshotAsync(ct));

        // The migration login creates the schemas (the audit tables among them) in databases it does not own.
        foreach (var service in new[] { "registry", "entitlements", "verification" })
        {
            await using var db = SqlServerContexts.Create(service, sql.LoginConnectionString("lct_migrate", Password("lct_migrate"), "Lingcheng" + Capitalized(service)));
            await db.Database.MigrateAsync(ct);
        }

        await ExecuteAsync(sql.LoginConnectionString("lct_migrate", Password("lct_migrate"), "LingchengIdentity"),
            "CREATE TABLE dbo.AuditRecords (Sequence bigint NOT NULL PRIMARY KEY, Outcome nvarchar(64) NOT NULL);", ct);

        // After the migrations a third run still changes nothing: the trigger has already denied.
        var afterMigrations = await SnapshotAsync(ct);
        Assert.Empty(await SqlCmdScript.RunAsync(sql.AdminConnectionString(), Script, passwords, ct));
        Assert.Equal(afterMigrations, await SnapshotAsync(ct));

        foreach (var service in new[] { "registry", "entitlements", "verification", "identity" })
        {
            var login = "lct_" + service;
            var own = sql.LoginConnectionString(login, Password(login), "Lingcheng" + Capitalized(service));

            // What the service does: append to its chain (INSERT, SELECT), in its serializable write transaction.
            if (service == "identity")
            {
                await ExecuteAsync(own, "INSERT INTO dbo.AuditRecords (Sequence, Outcome) VALUES (1, N'OK');", ct);
            }
            else
            {
                await using var db = SqlServerContexts.Create(service, own);
                await WriteTransactions.RunAsync(db, async token =>
                {
                    await AuditChain.AppendAsync(db, new AuditEntry("service:least-privilege-test", null, "Append", "LC260000019", "OK"), DateTimeOffset.UtcNow, token);
                    return 0;
                }, ct);
            }

            // What a compromised service would try.
            Assert.Equal(PermissionDenied, await ErrorAsync(own, "UPDATE dbo.AuditRecords SET Outcome = N'FORGED';", ct));
            Assert.Equal(PermissionDenied, await ErrorAsync(own, "DELETE FROM dbo.AuditRecords;", ct));
            Assert.NotNull(await ErrorAsync(own, "TRUNCATE TABLE dbo.AuditRecords;", ct));
            Assert.Equal(CreateTableDenied, await ErrorAsync(own, "CREATE TABLE dbo.Intruder (Id int);", ct));
            Assert.Equal(1, await ScalarAsync(own, "SELECT COUNT(*) FROM dbo.AuditRecords WHERE Outcome = N'OK';", ct));
            Assert.Equal(0, await ScalarAsync(own, "SELECT COUNT(*) FROM dbo.AuditRecords WHERE Outcome <> N'OK';", ct));

            // Its own database only.
            var other = Databases.First(d => d != "Lingcheng" + Capitalized(service));
            Assert.Equal(CannotOpenDatabase, await ErrorAsync(sql.LoginConnectionString(login, Password(login), other), "SELECT 1;", ct));
        }

        // The service writes its other tables as before (db_datawriter): the DENY is the audit table's alone.
        var registry = sql.LoginConnectionString("lct_registry", Password("lct_registry"), "LingchengRegistry");
        Assert.Null(await ErrorAsync(registry, "UPDATE dbo.CardEvents SET CardVersion = CardVersion WHERE 1 = 0; DELETE FROM dbo.IdempotencyRecords WHERE 1 = 0;", ct));
    }

    [Fact]
    public async Task A_rotated_password_is_set_by_running_the_script_again_and_the_old_one_stops_working()
    {
        sql.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        var passwords = DatabaseAccountTests.Passwords.ToDictionary(p => p.Variable, _ => "Lc9-" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        await SqlCmdScript.RunAsync(sql.AdminConnectionString(), Script, passwords, ct);
        var old = passwords["VerificationPassword"];

        passwords["VerificationPassword"] = "Lc9-" + Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        var messages = await SqlCmdScript.RunAsync(sql.AdminConnectionString(), Script, passwords, ct);
        Assert.Equal(["set a new password for login lct_verification"], messages);
        Assert.Null(await ErrorAsync(sql.LoginConnectionString("lct_verification", passwords["VerificationPassword"], "LingchengVerification"), "SELECT 1;", ct));
        Assert.Equal(18456, await ErrorAsync(sql.LoginConnectionString("lct_verification", old, "LingchengVerification"), "SELECT 1;", ct));
    }

    /// <summary>Everything the script sets: logins (password hash, dates), users, role memberships, permissions, triggers.</summary>
    private async Task<List<string>> SnapshotAsync(CancellationToken ct)
    {
        var rows = await RowsAsync(sql.AdminConnectionString(), """
            SELECT CONCAT('login|', name, '|', CONVERT(varchar(max), password_hash, 1), '|', CONVERT(varchar(30), modify_date, 126), '|', default_database_name, '|', is_disabled)
            FROM sys.sql_logins WHERE name LIKE 'lct[_]%'
            """, ct);
        foreach (var database in Databases)
        {
            rows.AddRange((await RowsAsync(sql.AdminConnectionString(database), """
                SELECT CONCAT('user|', name, '|', CONVERT(varchar(30), modify_date, 126)) FROM sys.database_principals WHERE name LIKE 'lct[_]%'
                UNION ALL SELECT CONCAT('member|', USER_NAME(role_principal_id), '|', USER_NAME(member_principal_id)) FROM sys.database_role_members WHERE USER_NAME(member_principal_id) LIKE 'lct[_]%'
                UNION ALL SELECT CONCAT('permission|', state_desc, '|', permission_name, '|', OBJECT_NAME(major_id), '|', USER_NAME(grantee_principal_id)) FROM sys.database_permissions WHERE USER_NAME(grantee_principal_id) LIKE 'lct[_]%'
                UNION ALL SELECT CONCAT('trigger|', name, '|', CONVERT(varchar(30), modify_date, 126)) FROM sys.triggers WHERE parent_class = 0
                """, ct)).Select(r => database + "|" + r));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static async Task<List<string>> RowsAsync(string connectionString, string query, CancellationToken ct)
    {
        await using var connection = new SqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new SqlCommand(query, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string statement, CancellationToken ct)
    {
        await using var connection = new SqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new SqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int> ScalarAsync(string connectionString, string query, CancellationToken ct)
    {
        await using var connection = new SqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new SqlCommand(query, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>The SQL Server error number the statement (or the login) fails with; null when it succeeds.</summary>
    private static async Task<int?> ErrorAsync(string connectionString, string statement, CancellationToken ct)
    {
        try
        {
            await ExecuteAsync(connectionString, statement, ct);
            return null;
        }
        catch (SqlException ex)
        {
            return ex.Number;
        }
    }

    private static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
