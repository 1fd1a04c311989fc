using System.CommandLine;
using System.Text.Json.Nodes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Client.Offline;
using Lingcheng.Talent.V1;
using static Lingcheng.Talent.Cli.Infrastructure.CliOutput;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary><c>lct agency …</c>: what an agency desk does with a card's QR.</summary>
internal static class AgencyCommands
{
    public static Command Create() => new Command("agency", Describe(
        "Agency staff (hospital desk, school office, bus company …): verify a card, record a use, cancel a mistaken use, verify offline. " +
        "Say which agency you are with --as agency:CODE[/TERMINAL] (or LCT_AS / --token). Exit code 3 means the card did not verify or the use was refused.",
        "lct agency verify --as agency:HOSP_PEOPLE LCT1:6BF…",
        "lct agency verify --as agency:HOSP_PEOPLE --image card.png",
        "lct agency redeem --as agency:HOSP_PEOPLE --benefit ANNUAL_HEALTH_CHECK --image card.png",
        "lct agency cancel --as agency:HOSP_PEOPLE lct-4f9c…",
        "lct agency sync --as agency:HOSP_PEOPLE && lct agency verify --offline --image card.png",
        "lct agency list"))
        .With(Verify(), Redeem(), Cancel(), Sync(), ListAgencies());

    private static Option<string?> CacheOption() => new("--cache")
    {
        Description = "Offline data folder [env LCT_OFFLINE_CACHE; default ~/.local/share/lct/offline]",
        HelpName = "DIR",
    };

    private static Command Verify()
    {
        var text = new Argument<string?>("QR_TEXT") { Description = "The text read from the QR (LCT1:…)", Arity = ArgumentArity.ZeroOrOne };
        var image = new Option<FileInfo?>("--image") { Description = "Read the QR from a PNG or JPEG image (a screenshot, scan or phone photo of the card; at most 20 MiB and 50 megapixels)" };
        var photo = new Option<bool>("--photo") { Description = "Also fetch the holder's photo" };
        var photoOut = new Option<FileInfo?>("--photo-out") { Description = "Write the holder's photo to this file (implies --photo)" };
        var offline = new Option<bool>("--offline") { Description = "Verify with the cached trust list and revocation snapshot only, no network (refresh with `lct agency sync`)" };
        var cache = CacheOption();
        var command = new Command("verify", Describe(
            "Verify a card's QR: genuine, in force, and which of YOUR agency's benefits apply. A card that does not verify is an outcome (exit code 3), not an error. " +
            "With --offline the answer comes from the cached data, and says how old that data is.",
            "lct agency verify --as agency:HOSP_PEOPLE \"LCT1:6BF…\"",
            "lct agency verify --as agency:EDU --image card.png",
            "lct agency verify --offline --image card.png"));
        command.With(text, image, photo, photoOut, offline, cache);
        return command.Runs(async (c, ct) =>
        {
            var qr = QrOutput.ReadQrText(c.Get(text), c.Get(image));
            if (c.Get(offline))
            {
                return VerifyOffline(c, qr, c.Get(cache));
            }

            var response = await c.Clients(null).Verification.VerifyAsync(
                new VerifyRequest { QrText = qr, IncludePhoto = c.Get(photo) || c.Get(photoOut) is not null }, CliContext.Call(ct));
            if (c.Get(photoOut) is { } file && !response.Photo.IsEmpty)
            {
                await File.WriteAllBytesAsync(file.FullName, response.Photo.ToByteArray(), ct);
            }

            if (c.Json)
            {
                response.Photo = Google.Protobuf.ByteString.Empty; // written with --photo-out; base64 in JSON helps nobody
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Write(Views.VerifyDetails(response));
                if (response.Benefits.Count > 0)
                {
                    c.Out.Line();
                    c.Out.Line(response.BenefitsAvailable ? "Your agency's benefits for this card:" : "Your agency's benefits (the entitlement service is unreachable; eligibility unknown):");
                    c.Out.Write(Views.EntitlementTable(response.Benefits).Render());
                }
            }

            return response.Outcome == VerificationOutcome.Valid ? ExitCodes.Success : ExitCodes.NotValid;
        });
    }

    private static int VerifyOffline(CliContext c, string qr, string? cacheDir)
    {
        var cache = new OfflineVerificationCache(cacheDir ?? OfflineVerificationCache.DefaultDirectory);
        var result = cache.Verify(qr);
        var check = result.Check;
        var outcome = OutcomeName(check.Outcome);
        if (c.Json)
        {
            c.Out.WriteJson(new JsonObject
            {
                ["outcome"] = "VERIFICATION_OUTCOME_" + outcome,
                ["detail"] = check.Detail,
                ["card_number"] = check.SignatureVerified ? check.Claims?.CardNumber : null,
                ["holder_display_name"] = check.SignatureVerified ? check.Claims?.HolderDisplayName : null,
                ["tier"] = check.SignatureVerified && check.Claims is { } cl ? cl.Tier.ToString() : null,
                ["card_version"] = check.SignatureVerified ? check.Claims?.CardVersion : null,
                ["expires_at"] = check.SignatureVerified ? check.Claims?.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null,
                ["kid"] = check.KidHex,
                ["offline"] = true,
                ["data_fetched_at"] = result.FetchedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["data_age_seconds"] = (long)result.Age.TotalSeconds,
                ["snapshot_issued_at"] = result.SnapshotIssuedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["snapshot_sequence"] = result.Sequence,
            });
        }
        else
        {
            var claims = check.SignatureVerified ? check.Claims : null;
            c.Out.Write(Table.KeyValues(
            [
                ("Outcome", outcome),
                ("Detail", check.Detail),
                ("Card", claims?.CardNumber),
                ("Holder", claims?.HolderDisplayName),
                ("Tier", claims?.Tier.ToString()),
                ("Card version", claims?.CardVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("Expires", claims is null ? null : Time(claims.ExpiresAt)),
                ("Checked", "offline, with cached data"),
                ("Data fetched", $"{Time(result.FetchedAt)} ({Age(result.Age)} ago)"),
                ("Revocations as of", $"{Time(result.SnapshotIssuedAt)} (sequence {result.Sequence})"),
            ]));
            if (result.Age > TimeSpan.FromHours(24))
            {
                c.Out.Error.WriteLine($"warning: the offline data is {Age(result.Age)} old; refresh it with `lct agency sync`");
            }
        }

        return check.Outcome == TokenOutcome.Valid ? ExitCodes.Success : ExitCodes.NotValid;
    }

    /// <summary>The card library's outcome under the name the verification service uses (VERIFICATION_OUTCOME_…).</summary>
    public static string OutcomeName(TokenOutcome outcome) => outcome switch
    {
        TokenOutcome.Valid => "VALID",
        TokenOutcome.Malformed => "MALFORMED",
        TokenOutcome.UnsupportedVersion => "UNSUPPORTED_VERSION",
        TokenOutcome.UnknownKey => "UNKNOWN_KEY",
        TokenOutcome.SignatureInvalid => "SIGNATURE_INVALID",
        TokenOutcome.NotYetValid => "NOT_YET_VALID",
        TokenOutcome.TokenExpired => "TOKEN_EXPIRED",
        TokenOutcome.Expired => "EXPIRED",
        TokenOutcome.Suspended => "SUSPENDED",
        TokenOutcome.Revoked => "REVOKED",
        TokenOutcome.Superseded => "SUPERSEDED",
        TokenOutcome.UnknownCard => "UNKNOWN_CARD",
        _ => outcome.ToString().ToUpperInvariant(),
    };

    private static Command Sync()
    {
        var cache = CacheOption();
        var command = new Command("sync", Describe(
            "Fetch the trust list and the revocation snapshot for offline verification (a delta when data is already cached).",
            "lct agency sync --as agency:HOSP_PEOPLE",
            "lct agency sync --as agency:HOSP_PEOPLE --cache /var/lib/desk/lct"));
        command.With(cache);
        return command.Runs(async (c, ct) =>
        {
            var offline = new OfflineVerificationCache(c.Get(cache) ?? OfflineVerificationCache.DefaultDirectory);
            var before = offline.Exists ? offline.ReadMetadata() : null;
            var metadata = await offline.RefreshAsync(c.Clients(null).Registry, c.RegistryAddress, ct);
            if (c.Json)
            {
                c.Out.WriteJson(new JsonObject
                {
                    ["directory"] = offline.Directory,
                    ["fetched_at"] = metadata.FetchedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["sequence"] = metadata.Sequence,
                    ["previous_sequence"] = before?.Sequence,
                    ["snapshot_issued_at"] = metadata.SnapshotIssuedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["entries"] = metadata.Entries,
                    ["deltas"] = metadata.Deltas.Count,
                });
            }
            else
            {
                var how = before is null ? "full snapshot" : metadata.Deltas.Count == 0 ? "full snapshot (refetched)" : $"delta from sequence {before.Sequence}";
                c.Out.Line($"Offline data in {offline.Directory} is current to sequence {metadata.Sequence} ({how}); " +
                    $"{metadata.Entries} revoked, suspended or re-issued card(s); fetched {Time(metadata.FetchedAt)}.");
            }

            return ExitCodes.Success;
        });
    }

    private static Command Redeem()
    {
        var text = new Argument<string?>("QR_TEXT") { Description = "The text read from the QR (LCT1:…)", Arity = ArgumentArity.ZeroOrOne };
        var image = new Option<FileInfo?>("--image") { Description = "Read the QR from a PNG or JPEG image (at most 20 MiB and 50 megapixels)" };
        var benefit = new Option<string>("--benefit") { Description = "The benefit to record, e.g. ANNUAL_HEALTH_CHECK (one your agency provides)", Required = true };
        var redemptionId = new Option<string?>("--redemption-id") { Description = "Your id for this use (1–64 characters); repeating it records nothing new (default: a new id, printed)" };
        var command = new Command("redeem", Describe(
            "Verify a card and record one use of one of your agency's benefits. Prints the redemption id (keep it to cancel a mistake within 24 h). " +
            "A refusal (quota used up, tier not entitled, card not valid) exits with code 3.",
            "lct agency redeem --as agency:HOSP_PEOPLE --benefit ANNUAL_HEALTH_CHECK \"LCT1:6BF…\"",
            "lct agency redeem --as agency:CULTOUR --benefit SCENIC_SPOT_ENTRY --image card.png --redemption-id gate2-20261127-0042"));
        command.With(text, image, benefit, redemptionId);
        return command.Runs(async (c, ct) =>
        {
            var qr = QrOutput.ReadQrText(c.Get(text), c.Get(image));
            var response = await c.Clients(null).Verification.RedeemAsync(new RedeemRequest
            {
                QrText = qr,
                BenefitCode = (c.Get(benefit) ?? "").Trim().ToUpperInvariant(),
                RedemptionId = c.Get(redemptionId) ?? CliContext.NewRequestId(),
            }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                var e = response.Entitlement;
                c.Out.Write(Table.KeyValues(
                [
                    ("Result", Redemption(response.Status)),
                    ("Message", response.Message),
                    ("Outcome", Outcome(response.Outcome)),
                    ("Card", response.CardNumber),
                    ("Holder", response.HolderDisplayName),
                    ("Benefit", e is null ? null : $"{e.BenefitCode} {e.BenefitName}"),
                    ("Quota", e is null ? null : Quota(e.QuotaPeriod, e.QuotaLimit)),
                    ("Left", e is null || e.QuotaPeriod == QuotaPeriod.Unlimited ? null : $"{e.Remaining} (period {e.Period})"),
                    ("Redemption id", response.Redemption?.RedemptionId),
                    ("Recorded", response.Redemption is null ? null : Time(response.Redemption.RedeemTime)),
                ]));
            }

            return response.Status is RedemptionStatus.Redeemed or RedemptionStatus.AlreadyRedeemed ? ExitCodes.Success : ExitCodes.NotValid;
        });
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("REDEMPTION_ID") { Description = "The id printed when the use was recorded" };
        var reason = new Option<string?>("--reason") { Description = "Why it is cancelled" };
        var command = new Command("cancel", Describe("Cancel your agency's own mistaken use within 24 h; the quota unit is given back.",
            "lct agency cancel --as agency:HOSP_PEOPLE lct-4f9c… --reason \"wrong patient\""));
        command.With(id, reason);
        return command.Runs(async (c, ct) =>
        {
            var response = await c.Clients(null).Verification.CancelRedemptionAsync(
                new CancelRedemptionRequest { RedemptionId = c.Get(id) ?? "", Reason = c.Get(reason) ?? "" }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Line(string.IsNullOrEmpty(response.Message) ? $"Cancelled redemption {response.Redemption?.RedemptionId}." : response.Message);
                if (response.Redemption is { } r)
                {
                    c.Out.Write(Views.RedemptionTable([r]).Render());
                }
            }

            return ExitCodes.Success;
        });
    }

    private static Command ListAgencies()
    {
        var command = new Command("list", Describe("List the participating agencies and their codes.", "lct agency list"));
        return command.Runs(async (c, ct) =>
        {
            var verification = c.Clients("hr").Verification;
            var agencies = await Pages.CollectAsync<Agency>(0, async (token, size) =>
            {
                var page = await verification.ListAgenciesAsync(new ListAgenciesRequest { PageSize = size, PageToken = token }, CliContext.Call(ct));
                return (page.Agencies, page.NextPageToken);
            });
            if (c.Json)
            {
                c.Out.WriteJson(agencies);
            }
            else
            {
                var table = new Table("CODE", "NAME", "ENGLISH NAME", "ACTIVE");
                foreach (var a in agencies)
                {
                    table.Add(a.Code, a.Name, a.EnglishName, a.Active ? "yes" : "no");
                }

                c.Out.Write(table.Render());
            }

            return ExitCodes.Success;
        });
    }
}
