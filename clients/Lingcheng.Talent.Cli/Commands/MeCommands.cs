using System.CommandLine;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.V1;
using static Lingcheng.Talent.Cli.Infrastructure.CliOutput;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary><c>lct me …</c>: the card holder's own view; the card comes from the token's card claim.</summary>
internal static class MeCommands
{
    public static Command Create() => new Command("me", Describe(
        "Card holders: your card, a QR to show at a desk, your benefits and what is left, your use history, and who verified your card. " +
        "Sign in with `lct login`, --token, or --as talent:CARD (Development only).",
        "lct me card --as talent:LC260000016",
        "lct me qr --as talent:LC260000016",
        "lct me benefits --as talent:LC260000016",
        "lct me verifications --as talent:LC260000016"))
        .With(Card(), Qr(), Benefits(), History(), Verifications());

    /// <summary>The clients and the caller's own card number (the token's card claim).</summary>
    private static (TalentClients Clients, string Card) Me(CliContext c)
    {
        var token = c.ResolveToken(null);
        var card = c.ClaimOf(token, ClaimNames.Card);
        if (string.IsNullOrEmpty(card))
        {
            throw new CliException("the token has no card claim: sign in as a card holder (--as talent:CARD)", ExitCodes.Usage);
        }

        return (c.ClientsWithToken(token), card);
    }

    private static Command Card()
    {
        var command = new Command("card", Describe("Show your card.", "lct me card --as talent:LC260000016"));
        return command.Runs(async (c, ct) =>
        {
            var (clients, card) = Me(c);
            var response = await clients.Registry.GetCardAsync(new GetCardRequest { CardNumber = card }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response.Card);
            }
            else
            {
                c.Out.Write(Views.CardDetails(response.Card));
            }

            return ExitCodes.Success;
        });
    }

    private static Command Qr()
    {
        var staticQr = new Option<bool>("--static") { Description = "The printed card's QR instead of a short-lived dynamic one" };
        var png = new Option<FileInfo?>("--png") { Description = "Write a PNG image (with --static, or the dynamic QR) to this file" };
        var light = new Option<bool>("--light") { Description = "Print for a terminal with a light background" };
        var command = new Command("qr", Describe(
            "Show a QR for a desk to scan: by default a dynamic token that lives about 2 minutes (a photo of it soon stops working).",
            "lct me qr --as talent:LC260000016", "lct me qr --static --png my-card.png --as talent:LC260000016"));
        command.With(staticQr, png, light);
        return command.Runs(async (c, ct) =>
        {
            var (clients, card) = Me(c);
            if (c.Get(staticQr))
            {
                await QrOutput.RenderCardAsync(c, clients.Registry, card, c.Get(png), null, 0, c.Get(light), ct);
                return ExitCodes.Success;
            }

            var response = await clients.Registry.IssueDynamicTokenAsync(new IssueDynamicTokenRequest { CardNumber = card }, CliContext.Call(ct));
            if (c.Get(png) is { } file)
            {
                await File.WriteAllBytesAsync(file.FullName, Cards.QrCodes.RenderPng(response.QrText, 8), ct);
            }

            QrOutput.WriteQr(c, card, response.QrText, 0, c.Get(png), c.Get(light), response.ExpireTime?.ToDateTimeOffset());
            return ExitCodes.Success;
        });
    }

    private static Command Benefits()
    {
        var agency = new Option<string?>("--agency") { Description = "Only the benefits this agency provides, e.g. EDU" };
        var command = new Command("benefits", Describe("Your benefits, whether you may use each now, and the quota left.",
            "lct me benefits --as talent:LC260000016", "lct me benefits --agency EDU --as talent:LC260000016"));
        command.With(agency);
        return command.Runs(async (c, ct) =>
        {
            var (clients, card) = Me(c);
            var response = await clients.Entitlements.ListCardEntitlementsAsync(
                new ListCardEntitlementsRequest { CardNumber = card, AgencyCode = (c.Get(agency) ?? "").ToUpperInvariant() }, CliContext.Call(ct));
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Line($"Card {response.CardNumber} · {StateText(response.CardState)} · tier {TierText(response.Tier)} · as of {Time(response.StateAsOf)}");
                c.Out.Write(Views.EntitlementTable(response.Entitlements).Render());
            }

            return ExitCodes.Success;
        });
    }

    private static Command History()
    {
        var limit = new Option<int>("--limit") { Description = "At most this many uses (0: all)" };
        var command = new Command("history", Describe("Your recorded uses of benefits, newest first (cancelled ones included).", "lct me history --as talent:LC260000016"));
        command.With(limit);
        return command.Runs(async (c, ct) =>
        {
            var (clients, card) = Me(c);
            var items = await Pages.CollectAsync<Redemption>(c.Get(limit), async (token, size) =>
            {
                var page = await clients.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card, PageSize = size, PageToken = token }, CliContext.Call(ct));
                return (page.Redemptions, page.NextPageToken);
            });
            if (c.Json)
            {
                c.Out.WriteJson(items);
            }
            else
            {
                c.Out.Write(Views.RedemptionTable(items).Render());
                c.Out.Line($"{items.Count} use(s)");
            }

            return ExitCodes.Success;
        });
    }

    private static Command Verifications()
    {
        var limit = new Option<int>("--limit") { Description = "At most this many (0: all)" };
        var command = new Command("verifications", Describe("Who verified your card and when, newest first.", "lct me verifications --as talent:LC260000016"));
        command.With(limit);
        return command.Runs(async (c, ct) =>
        {
            var (clients, card) = Me(c);
            var items = await Pages.CollectAsync<CardVerification>(c.Get(limit), async (token, size) =>
            {
                var page = await clients.Verification.ListCardVerificationsAsync(
                    new ListCardVerificationsRequest { CardNumber = card, PageSize = size, PageToken = token }, CliContext.Call(ct));
                return (page.Verifications, page.NextPageToken);
            });
            if (c.Json)
            {
                c.Out.WriteJson(items);
            }
            else
            {
                var table = new Table("WHEN", "AGENCY", "NAME", "ACTION", "OUTCOME", "BENEFIT");
                foreach (var v in items)
                {
                    table.Add(Time(v.VerifyTime), v.AgencyCode, v.AgencyName, v.Action, Outcome(v.Outcome), v.BenefitCode);
                }

                c.Out.Write(table.Render());
                c.Out.Line($"{items.Count} verification(s)");
            }

            return ExitCodes.Success;
        });
    }
}
