using Google.Protobuf;
using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>
/// Who sees personal data, and the trace it leaves (issue 25, items 5 and 7): auditors cannot
/// unmask by filtering or get photos; credential issuance and hr_officer's unmasked reads are audited.
/// </summary>
[Collection("registry")]
public sealed class PersonalDataAccessTests(RegistryFixture fixture)
{
    private readonly TalentRegistryService.TalentRegistryServiceClient _client = fixture.Client;
    private readonly TalentSystem _system = fixture.System;

    [Theory]
    [InlineData("name_prefix")]
    [InlineData("document_number")]
    public async Task An_auditor_filtering_on_a_personal_field_is_denied_naming_the_field(string field)
    {
        var t = SyntheticData.NewTalent(name: "欧阳明华");
        await _client.CreateTalentAsync(_system, t);
        var request = field == "name_prefix" ? new ListTalentsRequest { NamePrefix = "欧阳明" } : new ListTalentsRequest { DocumentNumber = t.DocumentNumber };

        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.ListTalentsAsync(request, _system.AsAuditor()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains(field, refused.Status.Detail);
        Assert.Equal("PERSONAL_DATA_FILTER", refused.ErrorInfo()?.Reason);
        Assert.Equal(field, refused.ErrorInfo()?.Metadata["field"]);
        var allowed = await _client.ListTalentsAsync(request, _system.AsHrOfficer());
        Assert.NotEmpty(allowed.Talents);
    }

    [Fact]
    public async Task An_auditor_gets_no_photo_and_an_hr_officer_does()
    {
        var t = SyntheticData.NewTalent();
        t.Photo = ByteString.CopyFrom(SyntheticData.TinyJpeg());
        t.PhotoContentType = "image/jpeg";
        var created = await _client.CreateTalentAsync(_system, t);
        var request = new GetTalentRequest { TalentId = created.TalentId, IncludePhoto = true };

        var audited = (await _client.GetTalentAsync(request, _system.AsAuditor())).Talent;
        var hr = (await _client.GetTalentAsync(request, _system.AsHrOfficer())).Talent;

        Assert.True(audited.Photo.IsEmpty);
        Assert.Equal("", audited.PhotoContentType);
        Assert.Equal(t.Photo, hr.Photo);
    }

    [Fact]
    public async Task Unmasked_reads_by_an_hr_officer_leave_an_audit_record_without_personal_values()
    {
        var t = SyntheticData.NewTalent(name: "司马光远");
        var created = await _client.CreateTalentAsync(_system, t);

        await _client.GetTalentAsync(new GetTalentRequest { TalentId = created.TalentId }, _system.AsHrOfficer());
        await _client.ListTalentsAsync(new ListTalentsRequest { DocumentNumber = t.DocumentNumber }, _system.AsHrOfficer());
        await _client.GetTalentAsync(new GetTalentRequest { TalentId = created.TalentId }, _system.AsAuditor()); // masked: not a sensitive read

        var records = AuditRecords(created.TalentId);
        var get = Assert.Single(records, r => r.Action == "GetTalent");
        Assert.Equal("hr_officer:hr-officer-1", get.Principal);
        var list = Assert.Single(records, r => r.Action == "ListTalents");
        Assert.Equal("hr_officer:hr-officer-1", list.Principal);
        Assert.Contains("document_number", list.Detail); // which filter, never its value
        Assert.DoesNotContain(records, r => r.Principal.StartsWith("auditor", StringComparison.Ordinal));
        foreach (var r in records)
        {
            Assert.DoesNotContain(t.DocumentNumber, r.Detail ?? "");
            Assert.DoesNotContain(t.MobilePhone, r.Detail ?? "");
            Assert.DoesNotContain(t.FullName, r.Detail ?? "");
        }
    }

    [Fact]
    public async Task Rendering_a_qr_code_and_issuing_a_dynamic_token_are_audited()
    {
        var number = (await _client.IssueCardAsync(_system)).Card.CardNumber;

        var qr = await _client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = number }, _system.AsHrOfficer());
        var dynamicToken = await _client.IssueDynamicTokenAsync(new IssueDynamicTokenRequest { CardNumber = number }, _system.AsTalent(number));

        var records = AuditRecords(number);
        Assert.Equal("hr_officer:hr-officer-1", Assert.Single(records, r => r.Action == "RenderCardQr").Principal);
        Assert.Equal("talent:talent-" + number, Assert.Single(records, r => r.Action == "IssueDynamicToken").Principal);
        Assert.DoesNotContain(records, r => (r.Detail ?? "").Contains(qr.QrText, StringComparison.Ordinal) || (r.Detail ?? "").Contains(dynamicToken.QrText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_suspended_card_gets_no_qr_code_and_the_refusal_says_why()
    {
        var number = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Note = "checking" }, _system.AsHrOfficer());

        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = number }, _system.AsHrOfficer()).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("SUSPENDED", refused.Status.Detail);
        Assert.DoesNotContain(AuditRecords(number), r => r.Action == "RenderCardQr" && r.Outcome == "OK");
    }

    private sealed record Audit(string Principal, string Action, string Outcome, string? Detail);

    private List<Audit> AuditRecords(string target)
    {
        using var connection = RegistryCalls.OpenDatabase(_system);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Principal, Action, Outcome, Detail FROM AuditRecords WHERE Target = $t ORDER BY Sequence";
        command.Parameters.AddWithValue("$t", target);
        using var reader = command.ExecuteReader();
        var records = new List<Audit>();
        while (reader.Read())
        {
            records.Add(new Audit(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return records;
    }
}
