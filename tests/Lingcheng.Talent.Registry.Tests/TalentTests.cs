using Google.Protobuf;
using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

[Collection("registry")]
public sealed class TalentTests(RegistryFixture fixture)
{
    private readonly TalentRegistryService.TalentRegistryServiceClient _client = fixture.Client;
    private readonly TalentSystem _system = fixture.System;

    public static TheoryData<string, string> BadTalents => new()
    {
        { "resident ID with a wrong check digit", "talent.document_number" },
        { "resident ID born in the future", "talent.document_number" },
        { "resident ID of a ten-year-old", "talent.document_number" },
        { "resident ID with an unknown region", "talent.document_number" },
        { "resident ID of 17 digits", "talent.document_number" },
        { "passport with punctuation", "talent.document_number" },
        { "credit code with a wrong check character", "talent.employer_credit_code" },
        { "credit code with a forbidden letter", "talent.employer_credit_code" },
        { "mobile starting 12", "talent.mobile_phone" },
        { "mobile of 10 digits", "talent.mobile_phone" },
        { "GIF photo", "talent.photo" },
        { "photo over 200 KB", "talent.photo" },
        { "PNG declared as JPEG", "talent.photo_content_type" },
        { "no tier", "talent.tier" },
        { "unknown nationality", "talent.nationality" },
        { "no name", "talent.full_name" },
        { "no document type", "talent.document_type" },
        { "no gender", "talent.gender" },
    };

    private static V1.Talent Break(string problem)
    {
        var t = SyntheticData.NewTalent();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        switch (problem)
        {
            case "resident ID with a wrong check digit": t.DocumentNumber = SyntheticData.ResidentIdWithWrongCheckDigit(); break;
            case "resident ID born in the future": t.DocumentNumber = SyntheticData.ResidentId(today.AddDays(30)); break;
            case "resident ID of a ten-year-old": t.DocumentNumber = SyntheticData.ResidentId(today.AddYears(-10)); break;
            case "resident ID with an unknown region": t.DocumentNumber = SyntheticData.ResidentId(regionCode: "991403"); break;
            case "resident ID of 17 digits": t.DocumentNumber = SyntheticData.ResidentId()[..17]; break;
            case "passport with punctuation": t.DocumentType = IdentityDocumentType.Passport; t.DocumentNumber = "E12-34567"; break;
            case "credit code with a wrong check character":
                var code = SyntheticData.CreditCode();
                t.EmployerCreditCode = code[..17] + (code[17] == '0' ? '1' : '0');
                break;
            case "credit code with a forbidden letter": t.EmployerCreditCode = "91371403MA3OOOOOOI"; break;
            case "mobile starting 12": t.MobilePhone = "12800001234"; break;
            case "mobile of 10 digits": t.MobilePhone = "1380000123"; break;
            case "GIF photo": t.Photo = ByteString.CopyFromUtf8("GIF89a...."); t.PhotoContentType = "image/gif"; break;
            case "photo over 200 KB":
                var big = new byte[200 * 1024 + 1];
                SyntheticData.TinyJpeg().CopyTo(big, 0);
                t.Photo = ByteString.CopyFrom(big);
                t.PhotoContentType = "image/jpeg";
                break;
            case "PNG declared as JPEG": t.Photo = ByteString.CopyFrom(SyntheticData.TinyPng()); t.PhotoContentType = "image/jpeg"; break;
            case "no tier": t.Tier = V1.Tier.Unspecified; break;
            case "unknown nationality": t.Nationality = "XYZ"; break;
            case "no name": t.FullName = " "; break;
            case "no document type": t.DocumentType = IdentityDocumentType.Unspecified; break;
            case "no gender": t.Gender = Gender.Unspecified; break;
        }

        return t;
    }

    [Theory]
    [MemberData(nameof(BadTalents))]
    public async Task A_bad_talent_is_refused_naming_the_field_and_nothing_is_stored(string problem, string field)
    {
        var before = (await _client.ListAllTalentsAsync(_system)).Count;
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.CreateTalentAsync(
            new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = Break(problem) }, _system.AsHrOfficer()));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal([field], ex.BadFields());
        Assert.Equal(before, (await _client.ListAllTalentsAsync(_system)).Count);
    }

    [Fact]
    public async Task Several_bad_fields_are_all_named_at_once()
    {
        var t = SyntheticData.NewTalent();
        t.MobilePhone = "123";
        t.EmployerCreditCode = "X";
        t.Tier = V1.Tier.Unspecified;
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.CreateTalentAsync(
            new CreateTalentRequest { RequestId = "", Talent = t }, _system.AsHrOfficer()));
        Assert.Equal(["request_id", "talent.mobile_phone", "talent.employer_credit_code", "talent.tier"], ex.BadFields());
    }

    [Fact]
    public async Task Other_document_types_with_valid_numbers_are_accepted()
    {
        var passport = SyntheticData.NewTalent();
        passport.DocumentType = IdentityDocumentType.Passport;
        passport.DocumentNumber = "E" + Random.Shared.Next(10_000_000, 99_999_999);
        passport.Photo = ByteString.CopyFrom(SyntheticData.TinyPng());
        passport.PhotoContentType = "image/png";
        var created = await _client.CreateTalentAsync(_system, passport);
        Assert.Equal(passport.DocumentNumber, created.DocumentNumber);

        var permit = SyntheticData.NewTalent();
        permit.DocumentType = IdentityDocumentType.HkMacaoPermit;
        permit.DocumentNumber = "H" + Random.Shared.Next(10_000_000, 99_999_999);
        await _client.CreateTalentAsync(_system, permit);

        var withPhoto = await _client.GetTalentAsync(new GetTalentRequest { TalentId = created.TalentId, IncludePhoto = true }, _system.AsHrOfficer());
        Assert.Equal(SyntheticData.TinyPng(), withPhoto.Talent.Photo.ToByteArray());
        var withoutPhoto = await _client.GetTalentAsync(new GetTalentRequest { TalentId = created.TalentId }, _system.AsHrOfficer());
        Assert.True(withoutPhoto.Talent.Photo.IsEmpty);
    }

    [Fact]
    public async Task One_document_number_registers_one_talent()
    {
        var first = SyntheticData.NewTalent();
        await _client.CreateTalentAsync(_system, first);
        var before = (await _client.ListAllTalentsAsync(_system)).Count;
        var second = SyntheticData.NewTalent();
        second.DocumentNumber = first.DocumentNumber.ToLowerInvariant();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.CreateTalentAsync(
            new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = second }, _system.AsHrOfficer()));
        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.DoesNotContain(first.DocumentNumber, ex.Status.Detail);
        Assert.Equal(before, (await _client.ListAllTalentsAsync(_system)).Count);
    }

    [Fact]
    public async Task Personal_data_is_masked_for_every_role_but_hr_officer()
    {
        var t = SyntheticData.NewTalent(name: "欧阳晓明");
        t.MobilePhone = "13800000000";
        var created = await _client.CreateTalentAsync(_system, t);
        Assert.Equal("欧阳晓明", created.FullName);
        Assert.Equal(t.DocumentNumber, created.DocumentNumber);
        Assert.Equal("13800000000", created.MobilePhone);

        var issued = await _client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = created.TalentId }, _system.AsHrOfficer());
        foreach (var options in new[] { _system.AsAuditor(), _system.AsService(), _system.AsTalent(issued.Card.CardNumber) })
        {
            var read = (await _client.GetTalentAsync(new GetTalentRequest { TalentId = created.TalentId }, options)).Talent;
            Assert.Equal("欧**明", read.FullName);
            Assert.Equal(t.DocumentNumber[..4] + "**********" + t.DocumentNumber[^4..], read.DocumentNumber);
            Assert.Equal("138****0000", read.MobilePhone);
        }

        // An auditor lists without personal filters (those are hr_officer's: PersonalDataAccessTests).
        var listed = new List<V1.Talent>();
        var request = new ListTalentsRequest { EmployerName = t.EmployerName, PageSize = 200 };
        do
        {
            var page = await _client.ListTalentsAsync(request, _system.AsAuditor());
            listed.AddRange(page.Talents);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");

        Assert.Contains(listed, x => x.TalentId == created.TalentId && x.FullName == "欧**明" && x.MobilePhone == "138****0000");
        Assert.Equal("欧**明", issued.Card.HolderDisplayName);
    }

    [Fact]
    public async Task An_hr_officer_finds_a_talent_by_document_number_through_the_blind_index_and_an_auditor_may_not_search_by_it()
    {
        var t = SyntheticData.NewTalent();
        var created = await _client.CreateTalentAsync(_system, t);
        var lowerX = t.DocumentNumber.ToLowerInvariant(); // a check character X typed as x still finds it

        var found = await _client.ListTalentsAsync(new ListTalentsRequest { DocumentNumber = " " + lowerX + " " }, _system.AsHrOfficer());
        var other = await _client.ListTalentsAsync(new ListTalentsRequest { DocumentNumber = SyntheticData.ResidentId() }, _system.AsHrOfficer());

        Assert.Equal(created.TalentId, Assert.Single(found.Talents).TalentId);
        Assert.Empty(other.Talents);
        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.ListTalentsAsync(new ListTalentsRequest { DocumentNumber = t.DocumentNumber }, _system.AsAuditor()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task Validate_only_applies_every_rule_and_the_duplicate_check_and_stores_nothing()
    {
        var hr = _system.AsHrOfficer();
        var good = SyntheticData.NewTalent();
        var checkedOnly = await _client.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = good, ValidateOnly = true }, hr);
        Assert.Empty(checkedOnly.Talent.TalentId);
        Assert.Empty((await _client.ListTalentsAsync(new ListTalentsRequest { DocumentNumber = good.DocumentNumber }, hr)).Talents);

        var bad = SyntheticData.NewTalent();
        bad.DocumentNumber = SyntheticData.ResidentIdWithWrongCheckDigit();
        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = bad, ValidateOnly = true }, hr).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(refused.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations, v => v.Field == "talent.document_number");

        await _client.CreateTalentAsync(_system, good);
        var duplicate = await Assert.ThrowsAsync<RpcException>(() => _client.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = good, ValidateOnly = true }, hr).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, duplicate.StatusCode);
    }

    [Fact]
    public async Task Listing_pages_through_every_match_once_and_filters_work()
    {
        var employer = "分页测试单位" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var t = SyntheticData.NewTalent(i < 3 ? V1.Tier.C : V1.Tier.D);
            t.EmployerName = employer;
            ids.Add((await _client.CreateTalentAsync(_system, t)).TalentId);
        }

        var seen = new List<string>();
        var request = new ListTalentsRequest { EmployerName = employer[2..], PageSize = 2 };
        var pages = 0;
        do
        {
            var page = await _client.ListTalentsAsync(request, _system.AsAuditor());
            seen.AddRange(page.Talents.Select(t => t.TalentId));
            request.PageToken = page.NextPageToken;
            pages++;
        }
        while (request.PageToken != "");
        Assert.Equal(ids, seen);
        Assert.Equal(3, pages);

        var tierC = await _client.ListTalentsAsync(new ListTalentsRequest { EmployerName = employer, Tier = V1.Tier.C }, _system.AsHrOfficer());
        Assert.Equal(ids[..3], tierC.Talents.Select(t => t.TalentId));

        await _client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = ids[4] }, _system.AsHrOfficer());
        var active = await _client.ListTalentsAsync(new ListTalentsRequest { EmployerName = employer, CardState = CardState.Active }, _system.AsHrOfficer());
        Assert.Equal([ids[4]], active.Talents.Select(t => t.TalentId));

        var wrongFilter = await Assert.ThrowsAsync<RpcException>(async () => await _client.ListTalentsAsync(
            new ListTalentsRequest { EmployerName = "other", PageToken = (await _client.ListTalentsAsync(new ListTalentsRequest { EmployerName = employer, PageSize = 1 }, _system.AsHrOfficer())).NextPageToken },
            _system.AsHrOfficer()));
        Assert.Equal(["page_token"], wrongFilter.BadFields());
    }

    [Fact]
    public async Task Updating_the_tier_changes_only_masked_fields_and_tells_the_card_consumers()
    {
        var hr = _system.AsHrOfficer();
        var issued = await _client.IssueCardAsync(_system, V1.Tier.C);
        var update = new UpdateTalentRequest
        {
            RequestId = SyntheticData.RequestId(),
            Talent = new V1.Talent { TalentId = issued.Card.TalentId, Tier = V1.Tier.A, MobilePhone = "bad" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "tier" } },
        };
        var updated = await _client.UpdateTalentAsync(update, hr);
        Assert.Equal(V1.Tier.A, updated.Talent.Tier);
        Assert.Matches(@"^1[3-9]\d{9}$", updated.Talent.MobilePhone);

        var card = (await _client.GetCardAsync(new GetCardRequest { CardNumber = issued.Card.CardNumber }, hr)).Card;
        Assert.Equal(V1.Tier.A, card.Tier);
        var events = (await _client.ReadHistoryAsync(_system)).Where(e => e.CardNumber == card.CardNumber).ToList();
        Assert.Equal(CardEventType.HolderUpdated, events[^1].Type);
        Assert.Equal(V1.Tier.A, events[^1].Tier);

        var bad = await Assert.ThrowsAsync<RpcException>(async () => await _client.UpdateTalentAsync(new UpdateTalentRequest
        {
            RequestId = SyntheticData.RequestId(),
            Talent = new V1.Talent { TalentId = issued.Card.TalentId, MobilePhone = "bad" },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "mobile_phone" } },
        }, hr));
        Assert.Equal(["talent.mobile_phone"], bad.BadFields());
        var unknownPath = await Assert.ThrowsAsync<RpcException>(async () => await _client.UpdateTalentAsync(new UpdateTalentRequest
        {
            RequestId = SyntheticData.RequestId(),
            Talent = new V1.Talent { TalentId = issued.Card.TalentId },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "talent_id" } },
        }, hr));
        Assert.Equal(["update_mask"], unknownPath.BadFields());
        var after = (await _client.GetTalentAsync(new GetTalentRequest { TalentId = issued.Card.TalentId }, hr)).Talent;
        Assert.Equal(updated.Talent.MobilePhone, after.MobilePhone);
        Assert.Equal(updated.Talent.UpdateTime, after.UpdateTime);
    }
}
