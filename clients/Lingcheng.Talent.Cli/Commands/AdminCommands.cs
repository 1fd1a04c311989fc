using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;
using static Lingcheng.Talent.Cli.Infrastructure.CliOutput;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary><c>lct admin …</c>, <c>lct report …</c>, <c>lct audit …</c>: the HR bureau's administration and the auditors' checks.</summary>
internal static class AdminCommands
{
    public static Command Create() => new Command("admin", Describe(
        "HR bureau administration: sign-in accounts, signing keys and the benefit catalogue. The token of `lct login`; in Development without one, --as hr.",
        "lct admin accounts list",
        "lct admin keys list",
        "lct admin keys rotate",
        "lct admin keys revoke f4f7bb7953286e15 --reason \"private key leaked\"",
        "lct admin benefits list --agency HOSP_PEOPLE",
        "lct admin benefits update SCENIC_SPOT_ENTRY --quota-limit 24"))
        .With(
            AccountCommands.Create(),
            AccountCommands.Clients(),
            new Command("keys", Describe("The card-signing keys (the trust list agencies verify with).", "lct admin keys list", "lct admin keys rotate",
                    "lct admin keys revoke KID --reason \"leaked\"", "lct hr card list --signed-by KID"))
                .With(KeysList(), KeysRotate(), KeysRevoke()),
            new Command("benefits", Describe("The benefit catalogue (SPEC §3.3); changes take effect at once.", "lct admin benefits list", "lct admin benefits update TALENT_LOAN --tiers A,B,C,D"))
                .With(BenefitsList(), BenefitsUpdate()));

    public static Command CreateReport() => new Command("report", Describe(
        "Programme statistics for the HR bureau and the Organisation Department.",
        "lct report usage", "lct report usage --year 2026 --csv > usage.csv"))
        .With(Usage());

    public static Command CreateAudit() => new Command("audit", Describe(
        "Audit trail checks. The token of `lct login`; in Development without one, --as auditor.",
        "lct audit verify-chain"))
        .With(VerifyChain());

    private static void WriteKeys(CliContext c, IEnumerable<V1.TrustedKey> keys)
    {
        var table = new Table("KID", "STATUS", "VALID FROM", "VALID UNTIL", "TRUSTED UNTIL");
        foreach (var k in keys)
        {
            table.Add(k.Kid, ProtoNames.Short(k.Status), Time(k.ValidFrom), Time(k.ValidUntil), Time(k.TrustedUntil));
        }

        c.Out.Write(table.Render());
    }

    private static Command KeysList()
    {
        var command = new Command("list", Describe("List the trust list: every public key, its status and validity.", "lct admin keys list", "lct admin keys list --json"));
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients("hr").Registry.GetTrustListAsync(new GetTrustListRequest(), CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Line($"Issuer {response.Issuer} · generated {Time(response.GenerateTime)}");
                WriteKeys(c, response.Keys);
            }

            return ExitCodes.Success;
        });
    }

    private static Command KeysRotate()
    {
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key (default: a new id)" };
        var command = new Command("rotate", Describe(
            "Make a new signing key active; the current one is retired (cards it signed stay valid). Agencies pick the new key up with their next trust-list refresh.",
            "lct admin keys rotate"));
        command.With(requestId);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients("hr").Registry.RotateSigningKeyAsync(
                new RotateSigningKeyRequest { RequestId = c.Get(requestId) ?? CliContext.NewRequestId() }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Line($"New active key {response.ActiveKey?.Kid}; retired {response.RetiredKey?.Kid}.");
                WriteKeys(c, new[] { response.ActiveKey, response.RetiredKey }.Where(k => k is not null)!);
            }

            return ExitCodes.Success;
        });
    }

    private static Command KeysRevoke()
    {
        var kid = new Argument<string>("KID") { Description = "The key to distrust (16 hex characters, from `lct admin keys list`)" };
        var reason = new Option<string>("--reason") { Description = "Why (required, up to 500 characters); it goes into the audit trail", Required = true };
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key (default: a new id)" };
        var command = new Command("revoke", Describe(
            "Distrust a leaked signing key for good: REVOKED in the trust list, refused by every verifier within about a second online and at the next sync offline. "
            + "Revoking the active key makes a new key active first. Prints how many cards must be re-printed; `lct hr card list --signed-by KID` lists them.",
            "lct admin keys revoke f4f7bb7953286e15 --reason \"private key leaked (incident 17)\""));
        command.With(kid, reason, requestId);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients("hr").Registry.RevokeSigningKeyAsync(new RevokeSigningKeyRequest
            {
                RequestId = c.Get(requestId) ?? CliContext.NewRequestId(),
                Kid = c.Get(kid)!.Trim().ToLowerInvariant(),
                Reason = c.Get(reason) ?? "",
            }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Line($"Revoked {response.RevokedKey?.Kid}; active key {response.ActiveKey?.Kid}.");
                WriteKeys(c, new[] { response.ActiveKey, response.RevokedKey }.Where(k => k is not null)!);
                c.Out.Line($"{response.CardsToReprint} card(s) carry a printed token of the revoked key and must be re-printed: lct hr card list --signed-by {response.RevokedKey?.Kid}");
            }

            return ExitCodes.Success;
        });
    }

    private static Command BenefitsList()
    {
        var agency = new Option<string?>("--agency") { Description = "Only the benefits this agency provides" };
        var inactive = new Option<bool>("--include-inactive") { Description = "Also list switched-off benefits" };
        var command = new Command("list", Describe("List the benefit catalogue.", "lct admin benefits list", "lct admin benefits list --agency EDU"));
        command.With(agency, inactive);
        return command.Runs(async (c, ct) =>
        {
            var entitlements = c.Clients("hr").Entitlements;
            var benefits = await Pages.CollectAsync<Benefit>(0, async (token, size) =>
            {
                var page = await entitlements.ListBenefitsAsync(new ListBenefitsRequest
                {
                    PageSize = size,
                    PageToken = token,
                    AgencyCode = (c.Get(agency) ?? "").ToUpperInvariant(),
                    IncludeInactive = c.Get(inactive),
                }, CliContext.Call(ct));
                return (page.Benefits, page.NextPageToken);
            });
            if (c.Json)
            {
                c.Out.WriteJson(benefits);
            }
            else
            {
                c.Out.Write(Views.BenefitTable(benefits).Render());
            }

            return ExitCodes.Success;
        });
    }

    private static Command BenefitsUpdate()
    {
        var code = new Argument<string>("CODE") { Description = "The benefit code, e.g. SCENIC_SPOT_ENTRY" };
        var name = new Option<string?>("--name") { Description = "Chinese name" };
        var description = new Option<string?>("--description") { Description = "English description" };
        var providers = new Option<string?>("--providers") { Description = "Comma-separated agency codes, e.g. HOSP_PEOPLE,HOSP_TCM" };
        var tiers = new Option<string?>("--tiers") { Description = "Entitled tiers, e.g. A,B,C or ABC" };
        var period = new Option<string?>("--quota-period") { Description = "UNLIMITED, PER_CALENDAR_YEAR or PER_CARD" };
        var limit = new Option<int?>("--quota-limit") { Description = "Uses per period (0 with UNLIMITED)" };
        var active = new Option<bool?>("--active") { Description = "true to switch on, false to switch off" };
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key (default: a new id)" };
        var command = new Command("update", Describe("Change a benefit's rules; only the options given change.",
            "lct admin benefits update SCENIC_SPOT_ENTRY --quota-limit 24",
            "lct admin benefits update TALENT_LOAN --tiers A,B,C,D",
            "lct admin benefits update RECUPERATION --active false"));
        command.With(code, name, description, providers, tiers, period, limit, active, requestId);
        return command.Runs(async (c, ct) =>
        {
            var benefit = new Benefit { Code = (c.Get(code) ?? "").Trim().ToUpperInvariant() };
            var mask = new FieldMask();
            if (c.Get(name) is { } n)
            {
                benefit.Name = n;
                mask.Paths.Add("name");
            }

            if (c.Get(description) is { } d)
            {
                benefit.Description = d;
                mask.Paths.Add("description");
            }

            if (c.Get(providers) is { } p)
            {
                benefit.ProviderAgencyCodes.AddRange(p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => x.ToUpperInvariant()));
                mask.Paths.Add("provider_agency_codes");
            }

            if (c.Get(tiers) is { } t)
            {
                foreach (var part in t.Contains(',', StringComparison.Ordinal) ? t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : t.Select(ch => ch.ToString()).ToArray())
                {
                    benefit.EligibleTiers.Add(TalentRules.TryParseTier(part, out var tier) ? tier : throw new CliException($"--tiers {t}: expected tiers A–D, e.g. A,B,C", ExitCodes.Usage));
                }

                mask.Paths.Add("eligible_tiers");
            }

            if (c.Get(period) is { } q)
            {
                benefit.QuotaPeriod = q.Trim().ToUpperInvariant().Replace("QUOTA_PERIOD_", "", StringComparison.Ordinal) switch
                {
                    "UNLIMITED" => QuotaPeriod.Unlimited,
                    "PER_CALENDAR_YEAR" or "YEAR" => QuotaPeriod.PerCalendarYear,
                    "PER_CARD" or "CARD" => QuotaPeriod.PerCard,
                    _ => throw new CliException($"--quota-period {q}: expected UNLIMITED, PER_CALENDAR_YEAR or PER_CARD", ExitCodes.Usage),
                };
                mask.Paths.Add("quota_period");
            }

            if (c.Get(limit) is { } l)
            {
                benefit.QuotaLimit = l;
                mask.Paths.Add("quota_limit");
            }

            if (c.Get(active) is { } a)
            {
                benefit.Active = a;
                mask.Paths.Add("active");
            }

            if (mask.Paths.Count == 0)
            {
                throw new CliException("nothing to change: give at least one option such as --quota-limit", ExitCodes.Usage);
            }

            var response = await c.Clients("hr").Entitlements.UpdateBenefitAsync(
                new UpdateBenefitRequest { RequestId = c.Get(requestId) ?? CliContext.NewRequestId(), Benefit = benefit, UpdateMask = mask }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response.Benefit);
            }
            else
            {
                c.Out.Line($"Updated {string.Join(", ", mask.Paths)} of {response.Benefit.Code} (revision {response.Benefit.Revision}).");
                c.Out.Write(Views.BenefitTable([response.Benefit]).Render());
            }

            return ExitCodes.Success;
        });
    }

    private static Command Usage()
    {
        var year = new Option<int>("--year") { Description = "Calendar year in China Standard Time (default: this year)" };
        var benefit = new Option<string?>("--benefit") { Description = "Only this benefit" };
        var agency = new Option<string?>("--agency") { Description = "Only this agency" };
        var csv = new Option<bool>("--csv") { Description = "Print CSV (month,benefit_code,agency_code,redemptions,cancellations)" };
        var command = new Command("usage", Describe("Benefit uses per month, benefit and agency.",
            "lct report usage", "lct report usage --year 2026 --agency HOSP_PEOPLE", "lct report usage --csv > usage.csv"));
        command.With(year, benefit, agency, csv);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients("hr").Entitlements.GetUsageStatisticsAsync(new GetUsageStatisticsRequest
            {
                Year = c.Get(year),
                BenefitCode = (c.Get(benefit) ?? "").ToUpperInvariant(),
                AgencyCode = (c.Get(agency) ?? "").ToUpperInvariant(),
            }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response.Statistics);
            }
            else if (c.Get(csv))
            {
                var builder = new StringBuilder("month,benefit_code,agency_code,redemptions,cancellations\n");
                foreach (var s in response.Statistics)
                {
                    builder.Append(CultureInfo.InvariantCulture, $"{s.Month},{s.BenefitCode},{s.AgencyCode},{s.Redemptions},{s.Cancellations}\n");
                }

                c.Out.Write(builder.ToString());
            }
            else
            {
                var table = new Table("MONTH", "BENEFIT", "AGENCY", "USES", "CANCELLED");
                foreach (var s in response.Statistics)
                {
                    table.Add(s.Month, s.BenefitCode, s.AgencyCode, s.Redemptions.ToString(CultureInfo.InvariantCulture), s.Cancellations.ToString(CultureInfo.InvariantCulture));
                }

                c.Out.Write(table.Render());
                c.Out.Line($"{response.Statistics.Sum(s => s.Redemptions)} use(s), {response.Statistics.Sum(s => s.Cancellations)} cancelled");
            }

            return ExitCodes.Success;
        });
    }

    private static Command VerifyChain()
    {
        var command = new Command("verify-chain", Describe(
            "Check the hash-chained audit trail of all three services. Exit code 1 when a chain is broken or a service cannot be asked.",
            "lct audit verify-chain", "lct audit verify-chain --as hr --json"));
        return command.Runs(async (c, ct) =>
        {
            var clients = c.Clients("auditor");
            var results = new List<(string Service, AuditChainReport? Report, string? Error)>();
            async Task Check(string service, Func<Task<AuditChainReport>> call)
            {
                try
                {
                    results.Add((service, await call(), null));
                }
                catch (RpcException ex)
                {
                    results.Add((service, null, ex.Describe()));
                }
            }

            await Check("registry", async () => (await clients.Registry.VerifyAuditChainAsync(new VerifyAuditChainRequest(), CliContext.Call(ct))).Report);
            await Check("entitlements", async () => (await clients.Entitlements.VerifyAuditChainAsync(new EntitlementServiceVerifyAuditChainRequest(), CliContext.Call(ct))).Report);
            await Check("verification", async () => (await clients.Verification.VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), CliContext.Call(ct))).Report);

            if (c.Json)
            {
                c.Out.WriteJson(new JsonArray([.. results.Select(r => (JsonNode?)new JsonObject
                {
                    ["service"] = r.Service,
                    ["report"] = r.Report is null ? null : ToJson(r.Report),
                    ["error"] = r.Error,
                })]));
            }
            else
            {
                var table = new Table("SERVICE", "INTACT", "RECORDS", "FIRST BROKEN", "DETAIL");
                foreach (var (service, report, error) in results)
                {
                    table.Add(service, report is null ? "?" : report.Intact ? "yes" : "NO",
                        report?.RecordsChecked.ToString(CultureInfo.InvariantCulture),
                        report is { FirstBrokenSequence: > 0 } ? report.FirstBrokenSequence.ToString(CultureInfo.InvariantCulture) : "",
                        error ?? report?.Detail);
                }

                c.Out.Write(table.Render());
            }

            var bad = results.Where(r => r.Report is not { Intact: true }).Select(r => r.Service).ToList();
            return bad.Count == 0 ? ExitCodes.Success : Fail($"audit chain not confirmed for: {string.Join(", ", bad)}");
        });
    }
}
