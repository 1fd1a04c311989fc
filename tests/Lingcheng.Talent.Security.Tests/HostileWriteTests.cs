using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// Every write RPC's fields with hostile values — empty, huge, control characters, NUL, wrong check
/// digits, SQL and script fragments, out-of-range enums and numbers: each call is INVALID_ARGUMENT
/// with a google.rpc.BadRequest naming exactly the bad field, the error does not echo the value, and
/// nothing is stored (talent and card counts, benefits, redemptions and every audit chain unchanged).
/// </summary>
[Collection(Collections.WriteFuzz)]
public sealed class HostileWriteTests(SecuritySystem fixture)
{
    private static readonly string Huge = new('x', 100_000);
    private static readonly string HugeUnicode = string.Concat(Enumerable.Repeat("😀", 20_000));
    private const string Control = "note\u0001\u0007\u001b[31m";
    private const string Nul = "a\0b";
    private const string Sql = "' OR '1'='1'; DROP TABLE Talents; --";
    private const string Script = "<script>alert(1)</script>";
    private const string CrLf = "ok\r\n21:00:00.000 info: forged log line";

    /// <summary>One hostile call and the field its BadRequest must name.</summary>
    private sealed record Case(string Rpc, string Field, string What, Func<Task> Call);

    [Fact]
    public async Task Hostile_registry_writes_are_invalid_argument_naming_the_field_and_store_nothing()
    {
        var (card, _, talent) = await fixture.IssueCardAsync();
        var hr = fixture.AsHrOfficer();
        var registry = fixture.Registry;
        var cases = new List<Case>();

        void Create(string field, string what, Action<V1.Talent> spoil, Action<CreateTalentRequest>? request = null)
        {
            cases.Add(new Case("CreateTalent", field, what, async () =>
            {
                var t = SyntheticData.NewTalent();
                fixture.Remember(t);
                spoil(t);
                var r = new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = t };
                request?.Invoke(r);
                await registry.CreateTalentAsync(r, hr);
            }));
        }

        foreach (var (what, value) in BadRequestIds())
        {
            Create("request_id", what, _ => { }, r => r.RequestId = value);
        }

        Create("talent", "missing", _ => { }, r => r.Talent = null);
        foreach (var (what, value) in new[] { ("empty", ""), ("blank", "   "), ("huge", Huge), ("huge unicode", HugeUnicode), ("control", Control), ("NUL", Nul), ("CR LF", CrLf) })
        {
            Create("talent.full_name", what, t => t.FullName = value);
        }

        Create("talent.gender", "undefined enum", t => t.Gender = (Gender)9);
        Create("talent.document_type", "undefined enum", t => t.DocumentType = (IdentityDocumentType)99);
        foreach (var (what, value) in new[] { ("empty", ""), ("wrong check digit", SyntheticData.ResidentIdWithWrongCheckDigit()), ("SQL", Sql), ("script", Script), ("huge", Huge), ("control", "1101051949\u00011231002X"), ("NUL", "110105194912310\0" + "2X") })
        {
            if (what == "wrong check digit")
            {
                fixture.Sensitive["identity " + value] = value;
                fixture.PersonalData["identity " + value] = value;
            }

            Create("talent.document_number", what, t => t.DocumentNumber = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("unknown", "ZZZ"), ("SQL", Sql), ("huge", Huge), ("foreign with a resident ID", "USA") })
        {
            Create("talent.nationality", what, t => t.Nationality = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("10 digits", "1380013800"), ("landline", "05344212345"), ("SQL", Sql), ("script", Script), ("control", "138\u00010013800"), ("huge", Huge) })
        {
            Create("talent.mobile_phone", what, t => t.MobilePhone = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("huge", Huge), ("control", Control), ("NUL", Nul) })
        {
            Create("talent.employer_name", what, t => t.EmployerName = value);
        }

        var credit = SyntheticData.CreditCode();
        var wrongCredit = credit[..17] + (credit[17] == '0' ? '1' : '0');
        foreach (var (what, value) in new[] { ("empty", ""), ("wrong check character", wrongCredit), ("SQL", Sql), ("script", Script), ("huge", Huge) })
        {
            Create("talent.employer_credit_code", what, t => t.EmployerCreditCode = value);
        }

        Create("talent.tier", "undefined enum", t => t.Tier = (V1.Tier)7);
        Create("talent.tier", "unspecified", t => t.Tier = V1.Tier.Unspecified);
        Create("talent.programme", "huge", t => t.Programme = Huge);
        Create("talent.programme", "control", t => t.Programme = Control);
        Create("talent.photo", "not an image", t => t.Photo = ByteString.CopyFrom(new Random(SecuritySystem.Seed).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 4096)));
        Create("talent.photo", "over 200 KB", t => t.Photo = ByteString.CopyFrom([.. SyntheticData.TinyPng(), .. new byte[300 * 1024]]));
        Create("talent.photo_content_type", "HTML for a PNG", t => { t.Photo = ByteString.CopyFrom(SyntheticData.TinyPng()); t.PhotoContentType = "text/html"; });
        Create("talent.photo_content_type", "type without photo", t => t.PhotoContentType = "image/png");

        void Update(string field, string what, Action<UpdateTalentRequest> spoil)
        {
            cases.Add(new Case("UpdateTalent", field, what, async () =>
            {
                var r = new UpdateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = talent.Clone(), UpdateMask = new FieldMask() };
                spoil(r);
                await registry.UpdateTalentAsync(r, hr);
            }));
        }

        foreach (var (what, value) in BadRequestIds())
        {
            Update("request_id", what, r => r.RequestId = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("huge", Huge), ("SQL", Sql), ("script", Script), ("control", "T\u0001"), ("NUL", "T\0") })
        {
            Update("talent.talent_id", what, r => r.Talent.TalentId = value);
        }

        foreach (var (what, value) in new[] { ("output-only field", "talent_id"), ("SQL", "document_number; DROP TABLE Talents"), ("huge", Huge), ("unknown", "salary") })
        {
            Update("update_mask", what, r => r.UpdateMask.Paths.Add(value));
        }

        Update("talent.mobile_phone", "SQL", r => { r.UpdateMask.Paths.Add("mobile_phone"); r.Talent.MobilePhone = Sql; });
        Update("talent.full_name", "empty", r => { r.UpdateMask.Paths.Add("full_name"); r.Talent.FullName = ""; });
        Update("talent.document_number", "wrong check digit", r => { r.UpdateMask.Paths.Add("document_number"); r.Talent.DocumentNumber = SyntheticData.ResidentIdWithWrongCheckDigit(); });
        Update("talent.tier", "undefined enum", r => { r.UpdateMask.Paths.Add("tier"); r.Talent.Tier = (V1.Tier)9; });

        void Issue(string field, string what, Action<IssueCardRequest> spoil) => cases.Add(new Case("IssueCard", field, what, async () =>
        {
            var r = new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId };
            spoil(r);
            await registry.IssueCardAsync(r, hr);
        }));

        foreach (var (what, value) in BadRequestIds())
        {
            Issue("request_id", what, r => r.RequestId = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("huge", Huge), ("SQL", Sql), ("script", Script), ("control", "T\u0007"), ("NUL", "T\0") })
        {
            Issue("talent_id", what, r => r.TalentId = value);
        }

        foreach (var months in new[] { -1, 121, int.MaxValue, int.MinValue })
        {
            Issue("validity_months", months.ToString(System.Globalization.CultureInfo.InvariantCulture), r => r.ValidityMonths = months);
        }

        // The card lifecycle: every operation with a bad card number and a bad request id, then its own fields.
        var badNumbers = BadCardNumbers(card.CardNumber);
        void CardOp(string rpc, string field, string what, Func<string, string, Task> call, string? number = null, string? requestId = null) =>
            cases.Add(new Case(rpc, field, what, () => call(number ?? card.CardNumber, requestId ?? SyntheticData.RequestId())));

        var ops = new (string Rpc, Func<string, string, Task> Call)[]
        {
            ("RenewCard", async (n, id) => await registry.RenewCardAsync(new RenewCardRequest { RequestId = id, CardNumber = n }, hr)),
            ("SuspendCard", async (n, id) => await registry.SuspendCardAsync(new SuspendCardRequest { RequestId = id, CardNumber = n, Note = "lost" }, hr)),
            ("ReinstateCard", async (n, id) => await registry.ReinstateCardAsync(new ReinstateCardRequest { RequestId = id, CardNumber = n }, hr)),
            ("RevokeCard", async (n, id) => await registry.RevokeCardAsync(new RevokeCardRequest { RequestId = id, CardNumber = n, Reason = RevocationReason.DataError }, hr)),
            ("ReissueCard", async (n, id) => await registry.ReissueCardAsync(new ReissueCardRequest { RequestId = id, CardNumber = n }, hr)),
        };
        foreach (var (rpc, call) in ops)
        {
            foreach (var (what, value) in badNumbers)
            {
                CardOp(rpc, "card_number", what, call, number: value);
            }

            foreach (var (what, value) in BadRequestIds())
            {
                CardOp(rpc, "request_id", what, call, requestId: value);
            }
        }

        foreach (var months in new[] { -5, 999 })
        {
            cases.Add(new Case("RenewCard", "validity_months", months.ToString(System.Globalization.CultureInfo.InvariantCulture), async () =>
                await registry.RenewCardAsync(new RenewCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, ValidityMonths = months }, hr)));
        }

        foreach (var (what, value) in BadNotes(required: true))
        {
            cases.Add(new Case("SuspendCard", "note", what, async () =>
                await registry.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = value }, hr)));
        }

        foreach (var (what, value) in BadNotes(required: false))
        {
            cases.Add(new Case("ReinstateCard", "note", what, async () =>
                await registry.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = value }, hr)));
            cases.Add(new Case("RevokeCard", "note", what, async () =>
                await registry.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Reason = RevocationReason.DataError, Note = value }, hr)));
            cases.Add(new Case("ReissueCard", "note", what, async () =>
                await registry.ReissueCardAsync(new ReissueCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Note = value }, hr)));
        }

        foreach (var reason in new[] { RevocationReason.Unspecified, (RevocationReason)42 })
        {
            cases.Add(new Case("RevokeCard", "reason", reason.ToString(), async () =>
                await registry.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Reason = reason, Note = "x" }, hr)));
        }

        cases.Add(new Case("RevokeCard", "note", "OTHER without a note", async () =>
            await registry.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Reason = RevocationReason.Other }, hr)));

        foreach (var (what, value) in BadRequestIds())
        {
            cases.Add(new Case("RotateSigningKey", "request_id", what, async () =>
                await registry.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = value }, hr)));
        }

        var activeKid = (await registry.GetTrustListAsync(new GetTrustListRequest(), hr)).Keys.Single(k => k.Status == SigningKeyStatus.Active).Kid;
        foreach (var (what, value) in BadRequestIds())
        {
            cases.Add(new Case("RevokeSigningKey", "request_id", what, async () =>
                await registry.RevokeSigningKeyAsync(new RevokeSigningKeyRequest { RequestId = value, Kid = activeKid, Reason = "leaked" }, hr)));
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("upper case", activeKid.ToUpperInvariant()), ("short", activeKid[..15]), ("SQL", Sql), ("script", Script), ("huge", Huge), ("NUL", activeKid[..15] + "\0"), ("control", Control) })
        {
            cases.Add(new Case("RevokeSigningKey", "kid", what, async () =>
                await registry.RevokeSigningKeyAsync(new RevokeSigningKeyRequest { RequestId = SyntheticData.RequestId(), Kid = value, Reason = "leaked" }, hr)));
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("blank", "   "), ("huge", Huge), ("huge unicode", HugeUnicode), ("control", Control), ("NUL", Nul), ("CR LF", CrLf) })
        {
            cases.Add(new Case("RevokeSigningKey", "reason", what, async () =>
                await registry.RevokeSigningKeyAsync(new RevokeSigningKeyRequest { RequestId = SyntheticData.RequestId(), Kid = activeKid, Reason = value }, hr)));
        }

        var countsBefore = await fixture.CountRegistryAsync();
        var cardBefore = (await registry.GetCardAsync(new GetCardRequest { CardNumber = card.CardNumber }, hr)).Card;
        var talentBefore = (await registry.GetTalentAsync(new GetTalentRequest { TalentId = talent.TalentId }, hr)).Talent;
        var trustBefore = (await registry.GetTrustListAsync(new GetTrustListRequest(), hr)).Keys;
        var auditBefore = await fixture.RegistryAuditAsync(); // after the reads: an HR officer's unmasked read is itself audited

        var failures = await RunAsync(cases);

        var auditAfter = await fixture.RegistryAuditAsync();
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count}:\n" + string.Join("\n", failures));
        Assert.Equal(countsBefore, await fixture.CountRegistryAsync());
        Assert.Equal(auditBefore.RecordsChecked, auditAfter.RecordsChecked);
        Assert.True(auditAfter.Intact, auditAfter.Detail);
        Assert.Equal(cardBefore, (await registry.GetCardAsync(new GetCardRequest { CardNumber = card.CardNumber }, hr)).Card);
        Assert.Equal(talentBefore, (await registry.GetTalentAsync(new GetTalentRequest { TalentId = talent.TalentId }, hr)).Talent);
        Assert.Equal(trustBefore, (await registry.GetTrustListAsync(new GetTrustListRequest(), hr)).Keys);
        await AssertServingAsync();
    }

    [Fact]
    public async Task Hostile_entitlement_writes_are_invalid_argument_naming_the_field_and_store_nothing()
    {
        var (card, qr, _) = await fixture.IssueCardAsync();
        await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid);
        var redeemed = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, fixture.AsAgency("HOSP_PEOPLE"));
        Assert.Equal(RedemptionStatus.Redeemed, redeemed.Status);
        var hr = fixture.AsHrOfficer();
        var entitlements = fixture.Entitlements;
        var cases = new List<Case>();

        void Benefit(string field, string what, Action<UpdateBenefitRequest> spoil, params string[] mask) => cases.Add(new Case("UpdateBenefit", field, what, async () =>
        {
            var r = new UpdateBenefitRequest { RequestId = SyntheticData.RequestId(), Benefit = new Benefit { Code = "SCENIC_SPOT_ENTRY", Name = "A级景区免费游览" }, UpdateMask = new FieldMask { Paths = { mask.Length == 0 ? ["name"] : mask } } };
            spoil(r);
            await entitlements.UpdateBenefitAsync(r, hr);
        }));

        foreach (var (what, value) in BadRequestIds())
        {
            Benefit("request_id", what, r => r.RequestId = value);
        }

        Benefit("benefit", "missing", r => r.Benefit = null);
        foreach (var (what, value) in new[] { ("empty", ""), ("SQL", Sql), ("script", Script), ("huge", Huge), ("lower case", "scenic_spot_entry"), ("control", "SCENIC\u0001"), ("NUL", "SCENIC_SPOT_ENTRY\0") })
        {
            Benefit("benefit.code", what, r => r.Benefit.Code = value);
        }

        Benefit("update_mask", "empty", r => r.UpdateMask.Paths.Clear());
        foreach (var (what, value) in new[] { ("output-only field", "revision"), ("the key", "code"), ("SQL", "name; DROP TABLE Benefits"), ("huge", Huge) })
        {
            Benefit("update_mask", what, r => r.UpdateMask.Paths.Add(value));
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("blank", "  "), ("huge", Huge), ("control", Control), ("NUL", Nul) })
        {
            Benefit("benefit.name", what, r => r.Benefit.Name = value, "name");
        }

        foreach (var (what, value) in new[] { ("huge", Huge), ("control", Control), ("NUL", Nul) })
        {
            Benefit("benefit.description", what, r => r.Benefit.Description = value, "description");
        }

        foreach (var (what, value) in new (string, string[])[] { ("none", []), ("unknown", ["EVIL_CORP"]), ("SQL", [Sql]), ("huge", [Huge]), ("repeated", ["CULTOUR", "CULTOUR"]) })
        {
            Benefit("benefit.provider_agency_codes", what, r => r.Benefit.ProviderAgencyCodes.Add(value), "provider_agency_codes");
        }

        foreach (var (what, value) in new (string, V1.Tier[])[] { ("none", []), ("undefined", [(V1.Tier)9]), ("unspecified", [V1.Tier.Unspecified]), ("repeated", [V1.Tier.A, V1.Tier.A]) })
        {
            Benefit("benefit.eligible_tiers", what, r => r.Benefit.EligibleTiers.Add(value), "eligible_tiers");
        }

        Benefit("benefit.quota_period", "undefined", r => r.Benefit.QuotaPeriod = (QuotaPeriod)9, "quota_period");
        foreach (var limit in new[] { -1, 0, 10_001, int.MaxValue })
        {
            Benefit("benefit.quota_limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture), r => r.Benefit.QuotaLimit = limit, "quota_limit");
        }

        void Redeem(string field, string what, Action<EntitlementServiceRedeemRequest> spoil) => cases.Add(new Case("EntitlementService.Redeem", field, what, async () =>
        {
            var r = new EntitlementServiceRedeemRequest
            {
                RedemptionId = "rd-" + Guid.NewGuid().ToString("N"),
                CardNumber = card.CardNumber,
                CardVersion = 1,
                BenefitCode = "SCENIC_SPOT_ENTRY",
                AgencyCode = "CULTOUR",
                TerminalId = "desk-1",
            };
            spoil(r);
            await entitlements.RedeemAsync(r, fixture.AsServiceFor("CULTOUR", "desk-1"));
        }));

        foreach (var (what, value) in BadRequestIds())
        {
            Redeem("redemption_id", what, r => r.RedemptionId = value);
        }

        foreach (var (what, value) in BadCardNumbers(card.CardNumber))
        {
            Redeem("card_number", what, r => r.CardNumber = value);
        }

        Redeem("card_version", "0", r => r.CardVersion = 0);
        Redeem("card_version", "negative", r => r.CardVersion = -1);
        foreach (var (what, value) in new[] { ("empty", ""), ("SQL", Sql), ("lower case", "cultour"), ("huge", Huge), ("NUL", "CULTOUR\0") })
        {
            Redeem("agency_code", what, r => r.AgencyCode = value);
        }

        foreach (var (what, value) in new[] { ("huge", Huge), ("control", Control), ("NUL", Nul), ("non-ASCII", "终端一号") })
        {
            Redeem("terminal_id", what, r => r.TerminalId = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("SQL", Sql), ("script", Script), ("huge", Huge), ("unknown", "FREE_LUNCH") })
        {
            Redeem("benefit_code", what, r => r.BenefitCode = value);
        }

        void Cancel(string field, string what, Action<EntitlementServiceCancelRedemptionRequest> spoil) => cases.Add(new Case("EntitlementService.CancelRedemption", field, what, async () =>
        {
            var r = new EntitlementServiceCancelRedemptionRequest { RedemptionId = redeemed.Redemption.RedemptionId, AgencyCode = "HOSP_PEOPLE", Reason = "mistake" };
            spoil(r);
            await entitlements.CancelRedemptionAsync(r, fixture.AsServiceFor("HOSP_PEOPLE"));
        }));

        foreach (var (what, value) in BadRequestIds())
        {
            Cancel("redemption_id", what, r => r.RedemptionId = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("SQL", Sql), ("unknown", "EVIL_CORP") })
        {
            Cancel("agency_code", what, r => r.AgencyCode = value);
        }

        foreach (var (what, value) in new[] { ("huge", Huge), ("control", Control), ("NUL", Nul), ("CR LF", CrLf) })
        {
            Cancel("reason", what, r => r.Reason = value);
        }

        var auditBefore = await fixture.EntitlementsAuditAsync();
        var benefitsBefore = (await entitlements.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 200, IncludeInactive = true }, hr)).Benefits;
        var historyBefore = (await entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, hr)).Redemptions;

        var failures = await RunAsync(cases);

        var auditAfter = await fixture.EntitlementsAuditAsync();
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count}:\n" + string.Join("\n", failures));
        Assert.Equal(auditBefore.RecordsChecked, auditAfter.RecordsChecked);
        Assert.True(auditAfter.Intact, auditAfter.Detail);
        Assert.Equal(benefitsBefore, (await entitlements.ListBenefitsAsync(new ListBenefitsRequest { PageSize = 200, IncludeInactive = true }, hr)).Benefits);
        Assert.Equal(historyBefore, (await entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, hr)).Redemptions);
        await AssertServingAsync();
    }

    [Fact]
    public async Task Hostile_agency_redeem_and_cancel_requests_are_invalid_argument_naming_the_field_and_store_nothing()
    {
        var (card, qr, _) = await fixture.IssueCardAsync();
        await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid);
        var agency = fixture.AsAgency("HOSP_PEOPLE", "fuzz-writes");
        var redeemed = await fixture.Verification.RedeemAsync(new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, agency);
        var verification = fixture.Verification;
        var cases = new List<Case>();

        void Redeem(string field, string what, Action<RedeemRequest> spoil) => cases.Add(new Case("VerificationService.Redeem", field, what, async () =>
        {
            var r = new RedeemRequest { QrText = qr, BenefitCode = "MEDICAL_GREEN_CHANNEL", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") };
            spoil(r);
            await verification.RedeemAsync(r, agency);
        }));

        foreach (var (what, value) in new[] { ("empty", ""), ("blank", " \t "), ("over 4096 characters", qr + new string('A', 4096)) })
        {
            Redeem("qr_text", what, r => r.QrText = value);
        }

        foreach (var (what, value) in new[] { ("empty", ""), ("SQL", Sql), ("script", Script), ("lower case", "medical_green_channel"), ("huge", Huge), ("NUL", "MEDICAL\0") })
        {
            Redeem("benefit_code", what, r => r.BenefitCode = value);
        }

        foreach (var (what, value) in BadRequestIds())
        {
            Redeem("redemption_id", what, r => r.RedemptionId = value);
        }

        void Cancel(string field, string what, Action<CancelRedemptionRequest> spoil) => cases.Add(new Case("VerificationService.CancelRedemption", field, what, async () =>
        {
            var r = new CancelRedemptionRequest { RedemptionId = redeemed.Redemption.RedemptionId, Reason = "mistake" };
            spoil(r);
            await verification.CancelRedemptionAsync(r, agency);
        }));

        foreach (var (what, value) in BadRequestIds())
        {
            Cancel("redemption_id", what, r => r.RedemptionId = value);
        }

        foreach (var (what, value) in new[] { ("huge", Huge), ("control", Control), ("NUL", Nul), ("CR LF", CrLf) })
        {
            Cancel("reason", what, r => r.Reason = value);
        }

        var verificationBefore = await fixture.VerificationAuditAsync();
        var entitlementsBefore = await fixture.EntitlementsAuditAsync();
        var historyBefore = (await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor())).Redemptions;

        var failures = await RunAsync(cases, agencyFacing: true);

        var verificationAfter = await fixture.VerificationAuditAsync();
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count}:\n" + string.Join("\n", failures));
        Assert.Equal(verificationBefore.RecordsChecked, verificationAfter.RecordsChecked);
        Assert.Equal(entitlementsBefore.RecordsChecked, (await fixture.EntitlementsAuditAsync()).RecordsChecked);
        Assert.Equal(historyBefore, (await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor())).Redemptions);
        Assert.False(Assert.Single(historyBefore).Cancelled);
        await AssertServingAsync();
    }

    [Fact]
    public async Task Sql_and_script_fragments_in_free_text_are_stored_as_plain_text_and_harm_nothing()
    {
        var hr = fixture.AsHrOfficer();
        var countsBefore = await fixture.CountRegistryAsync();
        var input = SyntheticData.NewTalent(V1.Tier.B, name: "Robert'); DROP TABLE Talents;--");
        input.EmployerName = "<script>alert(document.cookie)</script>";
        input.Programme = "' OR '1'='1' --";
        fixture.Remember(input);

        var created = (await fixture.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = input }, hr)).Talent;
        var issued = await fixture.Registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = created.TalentId }, hr);
        fixture.RememberQr(issued.QrText);
        var read = (await fixture.Registry.GetTalentAsync(new GetTalentRequest { TalentId = created.TalentId }, hr)).Talent;
        var byPrefix = await fixture.Registry.ListTalentsAsync(new ListTalentsRequest { NamePrefix = "Robert'); DROP" }, hr);
        var byEmployer = await fixture.Registry.ListTalentsAsync(new ListTalentsRequest { EmployerName = "' OR 1=1 --" }, hr);
        var verified = await fixture.VerifyUntilAsync(issued.QrText, VerificationOutcome.Valid);

        Assert.Equal(input.FullName, read.FullName);
        Assert.Equal(input.EmployerName, read.EmployerName);
        Assert.Equal(input.Programme, read.Programme);
        Assert.Equal(created.TalentId, Assert.Single(byPrefix.Talents).TalentId);
        Assert.Empty(byEmployer.Talents); // the filter is a value, not a condition
        Assert.Equal((countsBefore.Talents + 1, countsBefore.Cards + 1), await fixture.CountRegistryAsync());
        Assert.Equal(VerificationOutcome.Valid, verified.Outcome);
        Assert.Equal("R*-", verified.HolderDisplayName[..1] + "*" + verified.HolderDisplayName[^1..]);
        Assert.True((await fixture.RegistryAuditAsync()).Intact);
    }

    /// <summary>Runs every case; a case fails unless it is INVALID_ARGUMENT naming exactly its field, with an error that does not echo huge input.</summary>
    private async Task<List<string>> RunAsync(List<Case> cases, bool agencyFacing = false)
    {
        var failures = new List<string>();
        foreach (var c in cases)
        {
            try
            {
                await c.Call();
                failures.Add($"{c.Rpc} {c.Field} ({c.What}): accepted");
            }
            catch (RpcException ex)
            {
                fixture.Errors.Enqueue(SecuritySystem.ErrorText(ex));
                if (agencyFacing)
                {
                    fixture.Answer(ex);
                }

                var fields = ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).Distinct().ToArray() ?? [];
                if (ex.StatusCode != StatusCode.InvalidArgument || fields is not [var only] || only != c.Field)
                {
                    failures.Add($"{c.Rpc} {c.Field} ({c.What}): {ex.StatusCode} [{string.Join(", ", fields)}] {Shorten(ex.Status.Detail)}");
                }
                else if (ex.Status.Detail.Length > 2000 || ex.Status.Detail.Contains(Sql, StringComparison.Ordinal))
                {
                    failures.Add($"{c.Rpc} {c.Field} ({c.What}): the error echoes the input ({ex.Status.Detail.Length} characters)");
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{cases.Count} hostile write requests: " + string.Join(", ", cases.GroupBy(c => c.Rpc).Select(g => $"{g.Key} {g.Count()}")));
        return failures;
    }

    private static (string What, string Value)[] BadRequestIds() =>
    [
        ("empty", ""), ("65 characters", new string('r', 65)), ("huge", Huge), ("with spaces (SQL)", Sql), ("control", "req\u0001"), ("NUL", "req\0"), ("non-ASCII", "请求-1"),
    ];

    private static (string What, string Value)[] BadCardNumbers(string good) =>
    [
        ("empty", ""), ("wrong check character", good[..^1] + (good[^1] == '0' ? '1' : '0')), ("lower case", good.ToLowerInvariant()), ("SQL", Sql),
        ("script", Script), ("huge", Huge), ("NUL", good + "\0"), ("full-width digits", "LC２６０００２３１０"),
    ];

    private static (string What, string Value)[] BadNotes(bool required)
    {
        (string, string)[] bad = [("501 characters", new string('n', 501)), ("huge", Huge), ("control", Control), ("NUL", Nul), ("CR LF", CrLf)];
        return required ? [("empty", ""), ("blank", "   "), .. bad] : bad;
    }

    private static string Shorten(string s) => s.Length > 200 ? s[..200] + "…" : s;

    private async Task AssertServingAsync() =>
        Assert.All(await fixture.HealthAsync(), s => Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, s));
}
