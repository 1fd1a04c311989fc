using System.Text;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>Tests that stop the registry and look at (or tamper with) its database file; each has its own registry.</summary>
public sealed class StorageTests
{
    [Fact]
    public async Task No_document_or_phone_number_is_stored_in_clear()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: RegistryFixture.Settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var secrets = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var talent = SyntheticData.NewTalent();
            if (i == 0)
            {
                talent.DocumentType = IdentityDocumentType.Passport;
                talent.DocumentNumber = "E" + Random.Shared.Next(10_000_000, 99_999_999);
            }

            var created = await client.CreateTalentAsync(system, talent);
            await client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = created.TalentId }, system.AsHrOfficer());
            secrets.Add(talent.DocumentNumber);
            secrets.Add(talent.MobilePhone);
        }

        // Retried creates and an update go through the idempotency store too.
        var retried = new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() };
        var r = await client.CreateTalentAsync(retried, system.AsHrOfficer());
        await client.CreateTalentAsync(retried, system.AsHrOfficer());
        secrets.Add(retried.Talent.DocumentNumber);
        var newPhone = SyntheticData.MobilePhone();
        await client.UpdateTalentAsync(new UpdateTalentRequest
        {
            RequestId = SyntheticData.RequestId(),
            Talent = new V1.Talent { TalentId = r.Talent.TalentId, MobilePhone = newPhone },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "mobile_phone" } },
        }, system.AsHrOfficer());
        secrets.Add(newPhone);

        system.Registry.Kill();
        var bytes = Directory.GetFiles(system.DataDirectory, "registry.db*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(bytes.Length > 4096);
        foreach (var secret in secrets)
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, "a document or phone number is stored in clear");
        }

        // The service still reads them after a restart (the key was persisted).
        await system.Registry.RestartAsync();
        var read = await client.GetTalentAsync(new GetTalentRequest { TalentId = r.Talent.TalentId }, system.AsHrOfficer());
        Assert.Equal(retried.Talent.DocumentNumber, read.Talent.DocumentNumber);
        Assert.Equal(newPhone, read.Talent.MobilePhone);
        Assert.DoesNotContain(retried.Talent.DocumentNumber, system.Registry.Output);
    }

    [Fact]
    public async Task The_chain_check_detects_an_edited_audit_record()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: RegistryFixture.Settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var issued = await client.IssueCardAsync(system);
        await client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = issued.Card.CardNumber, Note = "audit" }, system.AsHrOfficer());
        await client.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = SyntheticData.RequestId() }, system.AsHrOfficer());

        var intact = (await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), system.AsAuditor())).Report;
        Assert.True(intact.Intact);
        Assert.True(intact.RecordsChecked >= 4);

        system.Registry.Kill();
        long edited;
        using (var connection = RegistryCalls.OpenDatabase(system))
        {
            using var find = connection.CreateCommand();
            find.CommandText = "SELECT Sequence, Principal FROM AuditRecords WHERE Action = 'SuspendCard'";
            using (var reader = find.ExecuteReader())
            {
                Assert.True(reader.Read());
                edited = reader.GetInt64(0);
                Assert.Equal("hr_officer:hr-officer-1", reader.GetString(1));
            }

            using var edit = connection.CreateCommand();
            edit.CommandText = "UPDATE AuditRecords SET Principal = 'hr_officer:someone-else' WHERE Sequence = $s";
            edit.Parameters.AddWithValue("$s", edited);
            Assert.Equal(1, edit.ExecuteNonQuery());
        }

        await system.Registry.RestartAsync();
        var report = (await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), system.AsHrOfficer())).Report;
        Assert.False(report.Intact);
        Assert.Equal(edited, report.FirstBrokenSequence);
    }
}
