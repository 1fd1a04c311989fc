using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Data.Sqlite;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>
/// The audit chain is anchored (issue 25, item 6): each service signs its chain head into a checkpoint file the
/// database cannot reach, and VerifyAuditChain compares the table with it. Before, a table cut short or rewritten
/// with fresh hashes still checked "intact".
/// </summary>
public sealed class AuditCheckpointTests
{
    // The polls below ask VerifyAuditChain many times a second; the per-caller limits are tested in CallerLimitTests.
    private static readonly Dictionary<string, string> Settings = new(RegistryFixture.Settings)
    {
        ["Audit__CheckpointSeconds"] = "1",
        ["CallerLimits__PermitsPerMinute"] = "0",
        ["CallerLimits__MaxConcurrent"] = "0",
    };

    [Fact]
    public async Task An_untouched_chain_is_intact_and_matches_its_signed_checkpoint_which_an_auditor_can_verify()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: Settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        await client.IssueCardAsync(system);

        var report = await ReportOnceCheckpointedAsync(() => RegistryReportAsync(client, system));

        Assert.True(report.Intact, report.Detail);
        Assert.True(report.CheckpointsChecked >= 1);
        Assert.Contains("signed checkpoints", report.Detail);
        var checkpoint = report.LastCheckpoint;
        Assert.Equal("registry", checkpoint.Chain);
        Assert.Equal(report.RecordsChecked, checkpoint.Sequence);

        // What an auditor keeps elsewhere verifies with the public key alone (the payload the proto documents).
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(checkpoint.PublicKey.Span, out _);
        var payload = Encoding.UTF8.GetBytes($"lingcheng-talent-audit-checkpoint/v1\n{checkpoint.Chain}\n{checkpoint.Sequence}\n{checkpoint.Hash}\n" +
            checkpoint.SignedAt.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Assert.True(key.VerifyData(payload, checkpoint.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task A_registry_table_cut_short_after_a_checkpoint_is_reported_as_truncated()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: Settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        await client.IssueCardAsync(system);
        await client.IssueCardAsync(system);
        var before = await ReportOnceCheckpointedAsync(() => RegistryReportAsync(client, system));
        Assert.True(before.Intact, before.Detail);

        system.Registry.Kill();
        var kept = before.RecordsChecked - 2;
        Execute(Path.Combine(system.DataDirectory, "registry.db"), $"DELETE FROM AuditRecords WHERE Sequence > {kept}");
        await system.Registry.RestartAsync();

        var report = await RegistryReportAsync(client, system);
        Assert.False(report.Intact);
        Assert.Contains("cut short", report.Detail);
        Assert.Equal(kept + 1, report.FirstBrokenSequence);
        Assert.Equal(kept, report.RecordsChecked);
    }

    [Fact]
    public async Task A_registry_record_rewritten_with_fresh_hashes_after_a_checkpoint_is_reported_as_rewritten()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: Settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        await client.IssueCardAsync(system);
        var before = await ReportOnceCheckpointedAsync(() => RegistryReportAsync(client, system));
        Assert.True(before.Intact, before.Detail);

        system.Registry.Kill();
        Rewrite(Path.Combine(system.DataDirectory, "registry.db"), sequence: 1, principal: "hr_officer:someone-else");
        await system.Registry.RestartAsync();

        var report = await RegistryReportAsync(client, system);
        Assert.False(report.Intact);
        Assert.Contains("rewritten", report.Detail); // not "altered": the hashes themselves are consistent again
        Assert.Equal(1, report.FirstBrokenSequence);
        // The checkpointer refuses to sign over it, and says why.
        for (var i = 0; i < 50 && !system.Registry.Output.Contains("does not match its last signed checkpoint", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains("does not match its last signed checkpoint", system.Registry.Output);
    }

    [Fact]
    public async Task The_verification_services_batched_chain_is_checkpointed_and_a_cut_is_reported()
    {
        await using var system = await TalentSystem.StartAsync(settings: Settings);
        var verification = new VerificationService.VerificationServiceClient(system.Verification!.Channel);
        for (var i = 0; i < 5; i++)
        {
            try
            {
                await verification.VerifyAsync(new VerifyRequest { QrText = "LCT1:not-a-card-" + i }, system.AsAgency("HOSP_PEOPLE"));
            }
            catch (RpcException)
            {
                // An unreadable code may be refused; it is audited either way.
            }
        }

        async Task<AuditChainReport> Report() =>
            (await verification.VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), system.AsAuditor())).Report;
        var before = await ReportOnceCheckpointedAsync(Report);
        Assert.True(before.Intact, before.Detail);
        Assert.True(before.RecordsChecked >= 5);
        Assert.Equal("verification", before.LastCheckpoint.Chain);

        system.Verification.Kill();
        Execute(Path.Combine(system.DataDirectory, "verification.db"), $"DELETE FROM AuditRecords WHERE Sequence > {before.RecordsChecked - 3}");
        await system.Verification.RestartAsync();

        var report = await Report();
        Assert.False(report.Intact);
        Assert.Contains("cut short", report.Detail);
    }

    private static async Task<AuditChainReport> RegistryReportAsync(TalentRegistryService.TalentRegistryServiceClient client, TalentSystem system) =>
        (await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), system.AsAuditor())).Report;

    /// <summary>Asks until the last checkpoint covers the whole chain (the checkpointer signs every second here).</summary>
    private static async Task<AuditChainReport> ReportOnceCheckpointedAsync(Func<Task<AuditChainReport>> report)
    {
        for (var attempt = 0; ; attempt++)
        {
            var r = await report();
            if (r.LastCheckpoint is { } c && c.Sequence == r.RecordsChecked && r.RecordsChecked > 0)
            {
                return r;
            }

            Assert.True(attempt < 100, $"no checkpoint covered the chain within 20 s: {r.Detail}");
            await Task.Delay(200);
        }
    }

    internal static void Execute(string database, string sql)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=30000; " + sql;
        Assert.True(command.ExecuteNonQuery() > 0);
    }

    /// <summary>What an attacker with the database does: edits a record, then recomputes every hash from there on.</summary>
    internal static void Rewrite(string database, long sequence, string principal)
    {
        using var connection = Open(database);
        using var tx = connection.BeginTransaction();
        var rows = new List<object?[]>();
        using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT Sequence, OccurredAt, Principal, Agency, Action, Target, Outcome, Detail, PreviousHash FROM AuditRecords WHERE Sequence >= $s ORDER BY Sequence";
            read.Parameters.AddWithValue("$s", sequence);
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                var row = new object?[9];
                for (var i = 0; i < 9; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }
        }

        rows[0][2] = principal;
        string? previous = null;
        foreach (var row in rows)
        {
            var link = previous ?? (string)row[8]!;
            var hash = Hash((long)row[0]!, DateTimeOffset.Parse((string)row[1]!, CultureInfo.InvariantCulture),
                [(string?)row[2], (string?)row[3], (string?)row[4], (string?)row[5], (string?)row[6], (string?)row[7], link]);
            using var update = connection.CreateCommand();
            update.Transaction = tx;
            update.CommandText = "UPDATE AuditRecords SET Principal = $p, PreviousHash = $l, Hash = $h WHERE Sequence = $s";
            update.Parameters.AddWithValue("$p", row[2]);
            update.Parameters.AddWithValue("$l", link);
            update.Parameters.AddWithValue("$h", hash);
            update.Parameters.AddWithValue("$s", row[0]);
            Assert.Equal(1, update.ExecuteNonQuery());
            previous = hash;
        }

        tx.Commit();
    }

    /// <summary>The chain's record hash (AuditChain.ComputeHash): sequence, time in UTC ticks, then each field length-prefixed.</summary>
    private static string Hash(long sequence, DateTimeOffset occurredAt, string?[] fields)
    {
        var bytes = new List<byte>();
        var number = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(number, sequence);
        bytes.AddRange(number);
        BinaryPrimitives.WriteInt64BigEndian(number, occurredAt.UtcTicks);
        bytes.AddRange(number);
        foreach (var field in fields)
        {
            var text = field is null ? [] : Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt64BigEndian(number, field is null ? -1 : text.Length);
            bytes.AddRange(number);
            bytes.AddRange(text);
        }

        return Convert.ToHexStringLower(SHA256.HashData([.. bytes]));
    }

    internal static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        return connection;
    }
}
