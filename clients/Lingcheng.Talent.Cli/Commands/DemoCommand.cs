using System.CommandLine;
using System.Text.Json.Nodes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;
using static Lingcheng.Talent.Cli.Infrastructure.CliOutput;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary>
/// <c>lct demo</c>: the whole story against the running system, step by step. Each step checks
/// what the system answered; the demo stops with exit code 1 at the first surprise.
/// </summary>
internal static class DemoCommand
{
    private const string Hospital = "HOSP_PEOPLE";
    private const string School = "EDU";
    private const string HealthCheck = "ANNUAL_HEALTH_CHECK";

    public static Command Create()
    {
        var wait = new Option<double>("--wait") { Description = "Seconds to wait for a change to reach the verification service (default 5)", DefaultValueFactory = _ => 5 };
        var noQr = new Option<bool>("--no-qr") { Description = "Do not draw the QR in the terminal" };
        var command = new Command("demo", Describe(
            "Tell the whole story against the running system: the HR bureau registers a made-up talent and issues a card; the People's Hospital " +
            "verifies it and records the yearly health check; the school office sees only school benefits; the HR bureau revokes the card; " +
            "the hospital's next scan is refused. Uses development tokens: LCT_ENVIRONMENT=Development only (start the system first).",
            "lct demo",
            "dotnet run --project clients/Lingcheng.Talent.Cli -- demo",
            "lct demo --registry http://10.0.0.5:5101 --entitlements http://10.0.0.5:5102 --verification http://10.0.0.5:5103 --dev-key ./dev-jwt.key"));
        command.With(wait, noQr);
        return command.Runs(async (c, ct) => await new Story(c, TimeSpan.FromSeconds(Math.Clamp(c.Get(wait), 1, 60)), !c.Get(noQr)).RunAsync(ct));
    }

    private sealed class Story(CliContext c, TimeSpan wait, bool drawQr)
    {
        private const int Steps = 8;
        private readonly JsonArray _steps = [];
        private int _step;

        private TalentClients Hr { get; } = c.ClientsAs(Identity.Parse("hr:demo-hr-officer"), "lct demo");

        private TalentClients HospitalDesk { get; } = c.ClientsAs(Identity.Parse($"agency:{Hospital}/outpatient-desk-1"), "lct demo");

        private TalentClients SchoolOffice { get; } = c.ClientsAs(Identity.Parse($"agency:{School}/enrolment-office"), "lct demo");

        public async Task<int> RunAsync(CancellationToken ct)
        {
            Say("lct demo — 陵城区人才绿卡 (Lingcheng talent green card), end to end");
            Say($"registry {c.RegistryAddress} · entitlements {c.EntitlementsAddress} · verification {c.VerificationAddress}");

            // 1. Register.
            Step("The HR bureau (区人社局) registers a talent (made-up data, valid check digits).");
            var created = await SyntheticTalent.RegisterAsync(async talent =>
                (await Hr.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = CliContext.NewRequestId(), Talent = talent }, CliContext.Call(ct))).Talent,
                Random.Shared, V1.Tier.B);
            Say($"   Registered {created.FullName}, tier B (领军人才), employer {created.EmployerName}.");
            Say($"   Talent id {created.TalentId}; document {Masking.DocumentNumber(created.DocumentNumber)}, mobile {Masking.Phone(created.MobilePhone)} (shown masked).");
            Record("register", new JsonObject { ["talent_id"] = created.TalentId, ["full_name"] = created.FullName });

            // 2. Issue.
            Step("The HR bureau issues a green card.");
            var issued = await Hr.Registry.IssueCardAsync(new IssueCardRequest { RequestId = CliContext.NewRequestId(), TalentId = created.TalentId }, CliContext.Call(ct));
            var card = issued.Card;
            var qr = issued.QrText;
            Say($"   Card {card.CardNumber}, version {card.CardVersion}, {StateText(card.State)}, valid until {Date(card.ExpireTime)}.");
            Say($"   The QR holds {qr.Length} characters: LCT1: + Base45 of a signed COSE token (no ID number, no phone).");
            Record("issue", new JsonObject { ["card_number"] = card.CardNumber, ["qr_text"] = qr });

            // 3. QR.
            Step("The card's QR code, as printed on the card:");
            if (drawQr && !c.Json)
            {
                c.Out.Write(QrCodes.RenderTerminal(qr));
            }

            Say($"   QR version {QrCodes.GetVersion(qr)}, error correction level Q. (Save it as a picture: lct hr card qr {card.CardNumber} --png card.png)");
            Record("qr", new JsonObject { ["qr_version"] = QrCodes.GetVersion(qr) });

            // 4. Hospital verifies.
            Step("The People's Hospital (陵城区人民医院, HOSP_PEOPLE) scans the card.");
            var verified = await VerifyUntilAsync(HospitalDesk, qr, r => r.Outcome != VerificationOutcome.UnknownCard, ct);
            Expect(verified.Outcome == VerificationOutcome.Valid, $"the hospital's scan should be VALID but was {Outcome(verified.Outcome)}: {verified.Message}");
            Say($"   Outcome {Outcome(verified.Outcome)}: {verified.HolderDisplayName}, tier {TierText(verified.Tier)}, card valid until {Date(verified.CardExpiresAt)}.");
            Say("   The hospital sees its own benefits only:");
            Indent(Views.EntitlementTable(verified.Benefits).Render());
            Record("hospital_verify", new JsonObject { ["outcome"] = Outcome(verified.Outcome), ["benefits"] = new JsonArray([.. verified.Benefits.Select(b => (JsonNode?)b.BenefitCode)]) });

            // 5. Hospital records the health check.
            Step("The hospital records the free yearly health check (年度免费健康体检).");
            var redeemed = await HospitalDesk.Verification.RedeemAsync(new RedeemRequest
            {
                QrText = qr,
                BenefitCode = HealthCheck,
                RedemptionId = $"demo-{card.CardNumber}-{Guid.NewGuid():N}"[..40],
            }, CliContext.Call(ct));
            Expect(redeemed.Status == RedemptionStatus.Redeemed, $"recording {HealthCheck} should succeed but was {Redemption(redeemed.Status)}: {redeemed.Message}");
            Say($"   {Redemption(redeemed.Status)}: {redeemed.Message}");
            Say($"   Redemption id {redeemed.Redemption?.RedemptionId} — the hospital may cancel it within 24 h if it was a mistake.");
            Record("hospital_redeem", new JsonObject { ["status"] = Redemption(redeemed.Status), ["redemption_id"] = redeemed.Redemption?.RedemptionId });

            // 6. School sees school benefits only.
            Step("The school enrolment office (教育和体育局, EDU) scans the same card.");
            var school = await VerifyUntilAsync(SchoolOffice, qr, r => r.Outcome != VerificationOutcome.UnknownCard, ct);
            Expect(school.Outcome == VerificationOutcome.Valid, $"the school's scan should be VALID but was {Outcome(school.Outcome)}: {school.Message}");
            var foreign = school.Benefits.Where(b => b.ProviderAgencyCodes.Count > 0 && !b.ProviderAgencyCodes.Contains(School)).Select(b => b.BenefitCode).ToList();
            Expect(foreign.Count == 0, $"the school should see only its own benefits but also saw {string.Join(", ", foreign)}");
            Expect(school.Benefits.All(b => b.BenefitCode != HealthCheck), "the school should not see the hospital's health check");
            Say($"   Outcome {Outcome(school.Outcome)}. The school sees only school benefits — not the hospital's health check:");
            Indent(Views.EntitlementTable(school.Benefits).Render());
            Record("school_verify", new JsonObject { ["outcome"] = Outcome(school.Outcome), ["benefits"] = new JsonArray([.. school.Benefits.Select(b => (JsonNode?)b.BenefitCode)]) });

            // 7. Revoke.
            Step("The HR bureau revokes the card (the holder left the district).");
            var revoked = (await Hr.Registry.RevokeCardAsync(new RevokeCardRequest
            {
                RequestId = CliContext.NewRequestId(),
                CardNumber = card.CardNumber,
                Reason = RevocationReason.LeftDistrict,
                Note = "lct demo",
            }, CliContext.Call(ct))).Card;
            Expect(revoked.State == CardState.Revoked, $"the card should be REVOKED but is {StateText(revoked.State)}");
            Say($"   Card {revoked.CardNumber} is {StateText(revoked.State)} (reason LEFT_DISTRICT). Every verifier hears of it within a second.");
            Record("revoke", new JsonObject { ["state"] = StateText(revoked.State) });

            // 8. Hospital refused.
            Step("The hospital scans the same printed card again.");
            var started = DateTimeOffset.UtcNow;
            var refused = await VerifyUntilAsync(HospitalDesk, qr, r => r.Outcome == VerificationOutcome.Revoked, ct);
            var took = DateTimeOffset.UtcNow - started;
            Expect(refused.Outcome == VerificationOutcome.Revoked, $"the scan after revocation should be REVOKED but was {Outcome(refused.Outcome)} after {took.TotalSeconds:0.0} s");
            Say($"   Outcome {Outcome(refused.Outcome)}: {refused.Message}");
            Say($"   (answer after {took.TotalMilliseconds:0} ms; no benefits are offered.)");
            Record("hospital_verify_after_revoke", new JsonObject { ["outcome"] = Outcome(refused.Outcome) });

            Say();
            Say("Done. The whole story is in the audit trail: lct audit verify-chain");
            Say($"Look around: lct hr talent show {created.TalentId} · lct hr card show {card.CardNumber} · lct me verifications --as talent:{card.CardNumber}");
            if (c.Json)
            {
                c.Out.WriteJson(new JsonObject { ["completed"] = true, ["steps"] = _steps });
            }

            return ExitCodes.Success;
        }

        private async Task<VerifyResponse> VerifyUntilAsync(TalentClients desk, string qr, Func<VerifyResponse, bool> done, CancellationToken ct)
        {
            // A new card or a revocation reaches the verification service through the registry's
            // event stream, normally within a second; ask again until then.
            var deadline = DateTimeOffset.UtcNow + wait;
            while (true)
            {
                var response = await desk.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, CliContext.Call(ct));
                if (done(response) || DateTimeOffset.UtcNow >= deadline)
                {
                    return response;
                }

                await Task.Delay(150, ct);
            }
        }

        private void Step(string text)
        {
            _step++;
            Say();
            Say($"Step {_step}/{Steps} · {text}");
        }

        private void Say(string text = "")
        {
            if (c.Json)
            {
                c.Out.Error.WriteLine(text);
            }
            else
            {
                c.Out.Line(text);
            }
        }

        private void Indent(string block)
        {
            foreach (var line in block.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Say("     " + line);
            }
        }

        private void Record(string name, JsonObject data)
        {
            data["step"] = name;
            _steps.Add(data);
        }

        private void Expect(bool condition, string failure)
        {
            if (!condition)
            {
                throw new CliException($"demo step {_step}: {failure}");
            }
        }
    }
}
