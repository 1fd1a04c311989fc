using System.CommandLine;
using System.Text.Json.Nodes;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Cli.Infrastructure;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary><c>lct token mint</c>: development tokens for local use.</summary>
internal static class TokenCommands
{
    public static Command Create() => new Command("token", Describe(
        "Development tokens, minted from the development key the system writes on first start (data/keys/dev-jwt.key). " +
        "Only with LCT_ENVIRONMENT=Development; elsewhere sign in with `lct login`.",
        "lct token mint --role hr_officer",
        "export LCT_TOKEN=$(lct token mint --role agency_terminal --agency HOSP_PEOPLE)"))
        .With(Mint());

    private static Command Mint()
    {
        var role = new Option<string>("--role") { Description = "hr_officer (or hr), agency_terminal (or agency), talent, auditor or service", Required = true };
        var agency = new Option<string?>("--agency") { Description = "Agency code, for agency_terminal" };
        var terminal = new Option<string?>("--terminal") { Description = "Terminal id, for agency_terminal (default lct)" };
        var card = new Option<string?>("--card") { Description = "Card number, for talent" };
        var subject = new Option<string?>("--subject") { Description = "Subject (who the token is for)" };
        var hours = new Option<double>("--hours") { Description = "Lifetime in hours (default 8)", DefaultValueFactory = _ => 8 };
        var command = new Command("mint", Describe(
            "Print a bearer token signed with the development key.",
            "lct token mint --role hr",
            "lct token mint --role agency_terminal --agency HOSP_PEOPLE --terminal desk-1",
            "lct token mint --role talent --card LC260000016 --json"));
        command.With(role, agency, terminal, card, subject, hours);
        return command.Runs((c, _) =>
        {
            DevelopmentEnvironment.Require("lct token mint");
            var roleName = (c.Get(role) ?? "").Trim().ToLowerInvariant() switch
            {
                "hr" or Roles.HrOfficer => Roles.HrOfficer,
                "agency" or Roles.AgencyTerminal => Roles.AgencyTerminal,
                Roles.Talent => Roles.Talent,
                Roles.Auditor or "org" => Roles.Auditor,
                Roles.Service => Roles.Service,
                var other => throw new CliException($"--role {other}: expected {string.Join(", ", Roles.All)}", ExitCodes.Usage),
            };
            var agencyCode = c.Get(agency)?.Trim().ToUpperInvariant();
            var cardNumber = c.Get(card)?.Trim().ToUpperInvariant();
            if (roleName == Roles.AgencyTerminal && string.IsNullOrEmpty(agencyCode))
            {
                throw new CliException("an agency_terminal token needs --agency CODE", ExitCodes.Usage);
            }

            if (roleName == Roles.Talent && !CardNumber.IsValid(cardNumber))
            {
                throw new CliException("a talent token needs --card NUMBER (a valid card number)", ExitCodes.Usage);
            }

            var terminalId = roleName == Roles.AgencyTerminal ? c.Get(terminal) ?? "lct" : null;
            var sub = c.Get(subject) ?? roleName switch
            {
                Roles.AgencyTerminal => $"{agencyCode}/{terminalId}",
                Roles.Talent => "talent-" + cardNumber,
                _ => "lct-" + roleName,
            };
            var lifetime = TimeSpan.FromHours(c.Get(hours) is > 0 and <= 24 * 30 ? c.Get(hours) : 8);
            var token = c.DevTokens("lct token mint").Mint(roleName, sub, agency: agencyCode, card: roleName == Roles.Talent ? cardNumber : null, terminal: terminalId, lifetime: lifetime);
            if (c.Json)
            {
                c.Out.WriteJson(new JsonObject
                {
                    ["token"] = token,
                    ["role"] = roleName,
                    ["subject"] = sub,
                    ["agency"] = agencyCode,
                    ["card"] = roleName == Roles.Talent ? cardNumber : null,
                    ["expires_at"] = DateTimeOffset.UtcNow.Add(lifetime).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                });
            }
            else
            {
                c.Out.Line(token);
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }
}
