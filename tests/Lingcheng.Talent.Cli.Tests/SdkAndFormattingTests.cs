using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Lingcheng.Talent.Cli.Commands;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>The shared rules' validators as the SDK and lct use them, error descriptions, and the CLI's table layout, without any service.</summary>
public sealed class SdkAndFormattingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("371403199001011235")]
    public void A_resident_id_with_the_right_check_digit_is_accepted(string id) =>
        Assert.Null(IdentityNumbers.CheckResidentId(id, Now));

    [Theory]
    [InlineData("110105194912310021", "check digit")]
    [InlineData("110105194913310029", "birth date")]
    [InlineData("11010519491231002", "17 digits")]
    [InlineData("1101051949123100AX", "17 digits")]
    [InlineData("991051194912310025", "region code")]
    public void A_bad_resident_id_is_refused_with_the_reason(string id, string reason) =>
        Assert.Contains(reason, IdentityNumbers.CheckResidentId(id, Now));

    [Fact]
    public void A_credit_code_with_the_right_check_character_is_accepted_and_a_changed_one_refused()
    {
        Assert.Null(CreditCodes.Check("91350100M000100Y43"));
        Assert.Contains("check character", CreditCodes.Check("91350100M000100Y44"));
        Assert.Contains("may contain only", CreditCodes.Check("91350100I000100Y43"));
        Assert.Contains("18 characters", CreditCodes.Check("91350100M000100Y4"));
    }

    [Theory]
    [InlineData("13800000000", true)]
    [InlineData("19912345678", true)]
    [InlineData("12800000000", false)]
    [InlineData("1380000000", false)]
    [InlineData("1380000000a", false)]
    public void Mobile_numbers_are_11_digits_starting_13_to_19(string number, bool valid) =>
        Assert.Equal(valid, TalentRules.IsValidMobilePhone(number));

    [Fact]
    public void Synthetic_talents_pass_validation()
    {
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            Assert.Empty(TalentRules.Validate(SyntheticTalent.Create(random), DateTimeOffset.UtcNow));
        }
    }

    [Fact]
    public void The_test_suites_synthetic_resident_ids_are_valid_and_never_repeat()
    {
        // All 500 IDs of one birth date, sex and region (outside the random draws' 25–60 years), then none is left.
        var born = new DateOnly(1931, 6, 15);
        var ids = Enumerable.Range(0, 500).Select(_ => Testing.SyntheticData.ResidentId(born, male: false, regionCode: "110105")).ToList();
        Assert.Equal(500, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Null(IdentityNumbers.CheckResidentId(id, Now)));
        var ex = Assert.Throws<InvalidOperationException>(() => Testing.SyntheticData.ResidentId(born, male: false, regionCode: "110105"));
        Assert.Contains("No fresh resident ID", ex.Message);
    }

    [Fact]
    public void Validation_names_every_bad_field()
    {
        var talent = SyntheticTalent.Create(new Random(2));
        talent.MobilePhone = "12345";
        talent.Tier = Tier.Unspecified;
        talent.EmployerCreditCode = "";

        var fields = TalentRules.Validate(talent, DateTimeOffset.UtcNow).Select(p => p.Field).ToList();

        Assert.Equal(["mobile_phone", "employer_credit_code", "tier"], fields);
    }

    [Theory]
    [InlineData("a", "A")]
    [InlineData("TIER_D", "D")]
    public void Tiers_parse_from_letters_and_enum_names(string text, string tier)
    {
        Assert.True(TalentRules.TryParseTier(text, out var parsed));
        Assert.Equal(tier, parsed.ToString());
        Assert.False(TalentRules.TryParseTier("E", out _));
    }

    [Fact]
    public void Chinese_characters_are_two_columns_wide()
    {
        Assert.Equal(6, DisplayWidth.Of("张晓明"));
        Assert.Equal(3, DisplayWidth.Of("abc"));
        Assert.Equal(8, DisplayWidth.Of("张*明 ab"));
        Assert.Equal(4, DisplayWidth.Of("１２")); // fullwidth digits
        Assert.Equal(1, DisplayWidth.Of("e\u0301")); // e + combining acute
    }

    [Fact]
    public void Table_columns_line_up_by_display_width_with_chinese_names()
    {
        var text = new Table("NAME", "TIER", "EMPLOYER")
            .Add("欧阳晓明", "A", "陵城区人民医院")
            .Add("Li", "B", "x")
            .Render();

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal(10, DisplayWidth.Of(lines[2][..lines[2].IndexOf('A', StringComparison.Ordinal)]));
        Assert.Equal(10, DisplayWidth.Of(lines[3][..lines[3].IndexOf('B', StringComparison.Ordinal)]));
        Assert.Equal(10, lines[0].IndexOf("TIER", StringComparison.Ordinal)); // 欧阳晓明 is 8 columns, plus 2 spaces; TIER is 4 + 2
        Assert.Equal(16, DisplayWidth.Of(lines[2][..lines[2].IndexOf('陵', StringComparison.Ordinal)]));
        Assert.Equal(16, lines[3].IndexOf('x', StringComparison.Ordinal));
        Assert.All(lines, l => Assert.False(l.EndsWith(' ')));
    }

    [Fact]
    public void An_invalid_argument_error_becomes_one_line_naming_each_bad_field()
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = "The request has invalid fields.",
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations =
                    {
                        new BadRequest.Types.FieldViolation { Field = "talent.document_number", Description = "the check digit is wrong" },
                        new BadRequest.Types.FieldViolation { Field = "talent.mobile_phone", Description = "is required" },
                    },
                }),
                Any.Pack(new ErrorInfo { Reason = "INVALID_FIELDS", Domain = "lingcheng.talent" }),
            },
        };

        var line = status.ToRpcException().Describe();

        Assert.Equal("invalid argument: talent.document_number: the check digit is wrong; talent.mobile_phone: is required", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void A_refusal_names_the_reason_and_an_unreachable_service_says_so()
    {
        var denied = new Google.Rpc.Status
        {
            Code = (int)Code.FailedPrecondition,
            Message = "The card is revoked.",
            Details = { Any.Pack(new ErrorInfo { Reason = "CARD_REVOKED", Domain = "lingcheng.talent" }) },
        }.ToRpcException();

        Assert.Equal("not possible now: The card is revoked. (CARD_REVOKED)", denied.Describe());
        Assert.Equal("CARD_REVOKED", denied.Reason());
        Assert.Contains("cannot be reached", new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "Error connecting")).Describe());
    }

    [Fact]
    public async Task The_demo_talent_is_drawn_again_when_its_document_number_is_already_registered()
    {
        var registered = new HashSet<string>();
        var first = SyntheticTalent.Create(new Random(7), Tier.B);
        registered.Add(first.DocumentNumber); // an earlier run registered what this run draws first

        var created = await SyntheticTalent.RegisterAsync(t => Task.FromResult(registered.Add(t.DocumentNumber)
            ? t
            : throw new RpcException(new Grpc.Core.Status(StatusCode.AlreadyExists, "document number already registered"))), new Random(7), Tier.B);

        Assert.NotEqual(first.DocumentNumber, created.DocumentNumber);
        Assert.Equal(2, registered.Count);
    }

    [Fact]
    public async Task The_demo_talent_is_not_drawn_again_for_other_errors_nor_endlessly()
    {
        var calls = 0;
        Task<V1.Talent> Refuse(StatusCode code)
        {
            calls++;
            throw new RpcException(new Grpc.Core.Status(code, "refused"));
        }

        var denied = await Assert.ThrowsAsync<RpcException>(() => SyntheticTalent.RegisterAsync(_ => Refuse(StatusCode.PermissionDenied), new Random(1), Tier.B));
        Assert.Equal((StatusCode.PermissionDenied, 1), (denied.StatusCode, calls));

        calls = 0;
        var taken = await Assert.ThrowsAsync<RpcException>(() => SyntheticTalent.RegisterAsync(_ => Refuse(StatusCode.AlreadyExists), new Random(1), Tier.B, attempts: 3));
        Assert.Equal((StatusCode.AlreadyExists, 3), (taken.StatusCode, calls));
    }

    [Fact]
    public void Import_checks_report_line_and_field_and_catch_duplicate_documents_in_the_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"lct-import-{Guid.NewGuid():N}.csv");
        var random = new Random(3);
        var a = SyntheticTalent.Create(random);
        var b = SyntheticTalent.Create(random);
        string Row(V1.Talent t, string tier = "B", string mobile = "") => string.Join(",",
            t.FullName, "female", "RESIDENT_ID", t.DocumentNumber, "CHN", mobile.Length > 0 ? mobile : t.MobilePhone, $"\"{t.EmployerName}, 分部\"", t.EmployerCreditCode, tier, "");
        File.WriteAllText(file, string.Join(",", TalentImportCommand.Columns) + "\r\n" + Row(a) + "\r\n\r\n" + Row(b, tier: "Z", mobile: "123") + "\r\n" + Row(a) + "\r\n");
        try
        {
            var rows = TalentImportCommand.ReadRows(file, out var headerProblem);
            Assert.Null(headerProblem);
            var (valid, invalid) = TalentImportCommand.Check(rows);

            Assert.Single(valid);
            Assert.Equal($"{a.EmployerName}, 分部", valid[0].Talent.EmployerName);
            Assert.Contains((4, "tier", "expected A, B, C or D"), invalid);
            Assert.Contains(invalid, p => p is { Line: 4, Field: "mobile_phone" });
            Assert.Contains((5, "document_number", "the same document as line 2"), invalid);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Import_request_ids_are_the_same_for_the_same_row_and_differ_between_rows()
    {
        Assert.Equal(TalentImportCommand.RequestId("a.csv", 2, "x"), TalentImportCommand.RequestId("a.csv", 2, "x"));
        Assert.NotEqual(TalentImportCommand.RequestId("a.csv", 2, "x"), TalentImportCommand.RequestId("a.csv", 3, "x"));
        Assert.InRange(TalentImportCommand.RequestId("a.csv", 2, "x").Length, 1, 64);
    }

    [Theory]
    [InlineData("hr", "hr_officer", null, null)]
    [InlineData("agency:hosp_people/desk-1", "agency_terminal", "HOSP_PEOPLE", null)]
    [InlineData("talent:LC260002310", "talent", null, "LC260002310")]
    public void As_values_name_a_role_and_its_claims(string text, string role, string? agency, string? card)
    {
        var identity = Identity.Parse(text);
        Assert.Equal(role, identity.Role);
        Assert.Equal(agency, identity.Agency);
        Assert.Equal(card, identity.Card);
    }

    [Fact]
    public void An_as_value_with_a_bad_card_number_is_refused()
    {
        var ex = Assert.Throws<CliException>(() => Identity.Parse("talent:LC260002311"));
        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
    }
}
