using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cards;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>Who a development token is minted for: <c>hr</c>, <c>auditor</c>, <c>agency:CODE[/TERMINAL]</c>, <c>talent:CARD</c>, <c>service</c>.</summary>
public sealed record Identity(string Role, string Subject, string? Agency = null, string? Card = null, string? Terminal = null)
{
    /// <summary>The forms <c>--as</c> accepts, for messages.</summary>
    public const string Forms = "hr, auditor, agency:CODE[/TERMINAL] or talent:CARD";

    /// <summary>Parses an <c>--as</c> value.</summary>
    /// <exception cref="CliException">The value is not one of the forms.</exception>
    public static Identity Parse(string text)
    {
        var value = text.Trim();
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? value : value[..colon]).ToLowerInvariant();
        var rest = colon < 0 ? "" : value[(colon + 1)..].Trim();
        switch (kind)
        {
            case "hr" or Roles.HrOfficer:
                return new Identity(Roles.HrOfficer, rest.Length > 0 ? rest : "lct-hr-officer");
            case "auditor" or "org":
                return new Identity(Roles.Auditor, rest.Length > 0 ? rest : "lct-auditor");
            case "service":
                return new Identity(Roles.Service, rest.Length > 0 ? rest : "lct-service");
            case "agency" or Roles.AgencyTerminal:
                {
                    var slash = rest.IndexOf('/', StringComparison.Ordinal);
                    var agency = (slash < 0 ? rest : rest[..slash]).Trim().ToUpperInvariant();
                    var terminal = slash < 0 ? "lct" : rest[(slash + 1)..].Trim();
                    if (agency.Length == 0 || terminal.Length == 0)
                    {
                        throw new CliException($"--as {text}: name the agency, e.g. --as agency:HOSP_PEOPLE or --as agency:HOSP_PEOPLE/desk-1", ExitCodes.Usage);
                    }

                    return new Identity(Roles.AgencyTerminal, $"{agency}/{terminal}", Agency: agency, Terminal: terminal);
                }

            case "talent":
                {
                    var card = rest.ToUpperInvariant();
                    if (!CardNumber.IsValid(card))
                    {
                        throw new CliException($"--as {text}: name a valid card number, e.g. --as talent:LC260002310", ExitCodes.Usage);
                    }

                    return new Identity(Roles.Talent, "talent-" + card, Card: card);
                }

            default:
                throw new CliException($"--as {text}: expected {Forms}", ExitCodes.Usage);
        }
    }

    /// <summary>Mints the token from the development key.</summary>
    public string Mint(DevelopmentTokens tokens) =>
        tokens.Mint(Role, Subject, agency: Agency, card: Card, terminal: Terminal, lifetime: TimeSpan.FromHours(8));
}
