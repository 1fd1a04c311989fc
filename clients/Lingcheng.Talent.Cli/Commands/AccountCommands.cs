using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cli.Infrastructure;
using static Lingcheng.Talent.Cli.Infrastructure.CliOutput;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary>
/// <c>lct admin accounts …</c>: the identity provider's accounts (officers, auditors, desks, talents),
/// through its account API with the token of <c>lct login</c>. HR officers change them; auditors read.
/// </summary>
internal static class AccountCommands
{
    public static Command Create() => new Command("accounts", Describe(
        "Sign-in accounts at the identity provider (账户管理): list, create desk, officer and auditor accounts, disable, unlock, reset a password " +
        "or a second factor, give a talent a one-time activation code. Uses the sign-in of `lct login` (HR officers change, auditors read).",
        "lct admin accounts list --role agency_terminal",
        "lct admin accounts create desk-hosp-9 --role agency_terminal --agency HOSP_PEOPLE --terminal desk-9",
        "lct admin accounts reset-password desk-hosp-9",
        "lct admin accounts talent-code LC260000016"))
        .With(List(), Show(), Create_(), Disable(), Enable(), Unlock(), ResetPassword(), ResetSecondFactor(), TalentCode(), Link());

    private static readonly Argument<string> UserName = new("USERNAME") { Description = "The account's user name, e.g. desk-hosp-people or LC260000016" };

    private static Command List()
    {
        var role = new Option<string?>("--role") { Description = "Only this role: hr_officer, auditor, agency_terminal or talent" };
        var query = new Option<string?>("--query") { Description = "User names or agency codes starting with this text" };
        var command = new Command("list", Describe("List accounts (at most 500), by user name.",
            "lct admin accounts list", "lct admin accounts list --role agency_terminal --query HOSP", "lct admin accounts list --json"));
        command.With(role, query);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var path = "api/accounts" + QueryString(("role", RoleName(c.Get(role))), ("query", c.Get(query)));
            var response = await api.GetAsync(path, ct);
            var accounts = response["accounts"]?.Deserialize<List<AccountView>>(AccountApi.Json) ?? [];
            if (c.Json)
            {
                c.Out.WriteJson(response["accounts"]);
                return ExitCodes.Success;
            }

            var table = new Table("USER", "ROLE", "NAME", "DESK / CARD", "STATE", "2FA", "LAST SIGN-IN");
            foreach (var a in accounts)
            {
                table.Add(a.UserName, a.Role, a.DisplayName, a.Place, a.State(c.Now), a.SecondFactor ? "yes" : "", a.LastSignInAt is { } t ? Time(t) : "");
            }

            c.Out.Write(table.Render());
            c.Out.Line($"{accounts.Count} account(s).");
            return ExitCodes.Success;
        });
    }

    private static Command Show()
    {
        var command = new Command("show", Describe("Show one account.", "lct admin accounts show desk-hosp-people"));
        command.With(UserName);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.GetAsync("api/accounts/" + AccountApi.Segment(c.Get(UserName)!), ct);
            WriteAccount(c, response, response.Deserialize<AccountView>(AccountApi.Json)!);
            return ExitCodes.Success;
        });
    }

    private static Command Create_()
    {
        var role = new Option<string>("--role") { Description = "hr_officer (or hr), auditor, or agency_terminal (or agency)", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name, e.g. 人民医院 9号窗口" };
        var agency = new Option<string?>("--agency") { Description = "Agency code of a desk account, e.g. HOSP_PEOPLE (`lct agency list`)" };
        var terminal = new Option<string?>("--terminal") { Description = "Terminal id of a desk account, e.g. desk-9" };
        var command = new Command("create", Describe(
            "Create an officer, auditor or desk account with a temporary password, printed once: hand it to the person in person. " +
            "It must be changed at the first sign-in, where officers also set up their second factor. Talents get `talent-code` instead.",
            "lct admin accounts create desk-hosp-9 --role agency_terminal --agency HOSP_PEOPLE --terminal desk-9 --name \"人民医院 9号窗口\"",
            "lct admin accounts create zhang.wei --role hr_officer --name 张伟",
            "lct admin accounts create org-li --role auditor"));
        command.With(UserName, role, name, agency, terminal);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.PostAsync("api/accounts", new
            {
                userName = c.Get(UserName)!.Trim(),
                role = RoleName(c.Get(role)),
                displayName = c.Get(name),
                agency = c.Get(agency)?.Trim().ToUpperInvariant(),
                terminal = c.Get(terminal)?.Trim(),
            }, ct);
            WriteSecret(c, response, "Created", "temporaryPassword", "临时密码 / Temporary password",
                "首次登录时须修改 / it must be changed at the first sign-in.");
            return ExitCodes.Success;
        });
    }

    private static Command Disable() => Change("disable", "disable",
        "Disable an account: it cannot sign in, and its sign-in sessions end within a minute (tokens already given last until they expire).",
        "Disabled");

    private static Command Enable() => Change("enable", "enable", "Enable a disabled account again.", "Enabled");

    private static Command Unlock() => Change("unlock", "unlock", "Unlock an account locked after too many failed sign-ins.", "Unlocked");

    private static Command ResetSecondFactor() => Change("reset-second-factor", "reset-second-factor",
        "Remove an account's second factor (a lost phone): it sets one up again at its next sign-in.", "Second factor reset for");

    private static Command Change(string name, string action, string description, string done)
    {
        var command = new Command(name, Describe(description, $"lct admin accounts {name} desk-hosp-people"));
        command.With(UserName);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.PostAsync($"api/accounts/{AccountApi.Segment(c.Get(UserName)!)}/{action}", null, ct);
            var account = response.Deserialize<AccountView>(AccountApi.Json)!;
            if (c.Json)
            {
                c.Out.WriteJson(response);
            }
            else
            {
                c.Out.Line($"{done} {account.UserName}: {account.State(c.Now)}.");
            }

            return ExitCodes.Success;
        });
    }

    private static Command ResetPassword()
    {
        var command = new Command("reset-password", Describe(
            "Give an officer, auditor or desk account a new temporary password, printed once (hand it over in person; it must be changed at the next sign-in). " +
            "A talent gets a new `talent-code` instead.",
            "lct admin accounts reset-password desk-hosp-people"));
        command.With(UserName);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.PostAsync($"api/accounts/{AccountApi.Segment(c.Get(UserName)!)}/reset-password", null, ct);
            WriteSecret(c, response, "New password for", "temporaryPassword", "临时密码 / Temporary password",
                "下次登录时须修改 / it must be changed at the next sign-in.");
            return ExitCodes.Success;
        });
    }

    private static Command TalentCode()
    {
        var card = new Argument<string>("CARD") { Description = "The talent's card number, e.g. LC260000016" };
        var command = new Command("talent-code", Describe(
            "Give a card holder a one-time activation code for their account (created on first use), printed once: hand it over in person with the card. " +
            "A code given before stops working.",
            "lct admin accounts talent-code LC260000016"));
        command.With(card);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.PostAsync("api/accounts/talents", new { cardNumber = c.Get(card)!.Trim().ToUpperInvariant() }, ct);
            var expires = response["expiresAt"]?.Deserialize<DateTimeOffset>(AccountApi.Json);
            WriteSecret(c, response, "Activation code for", "activationCode", "激活码 / Activation code",
                expires is { } e ? $"有效期至 / valid until {Time(e)} CST; 只能使用一次 / it works once." : "只能使用一次 / it works once.");
            return ExitCodes.Success;
        });
    }

    private static Command Link()
    {
        var subject = new Argument<string>("SUBJECT") { Description = "The person's subject at the outside platform (shown to them when they are not linked yet)" };
        var command = new Command("link", Describe(
            "Link an account to its person's subject at the outside sign-in platform (the province's 统一身份认证平台): signing in there then signs in as this account.",
            "lct admin accounts link desk-hosp-people 3701-0042-1187"));
        command.With(UserName, subject);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.PostAsync($"api/accounts/{AccountApi.Segment(c.Get(UserName)!)}/link", new { subject = c.Get(subject) }, ct);
            WriteAccount(c, response, response.Deserialize<AccountView>(AccountApi.Json)!);
            return ExitCodes.Success;
        });
    }

    /// <summary>
    /// <c>lct admin clients …</c>: an agency's own system signing in as one of its desks by client
    /// credentials. The secret is printed once.
    /// </summary>
    public static Command Clients() => new Command("clients", Describe(
        "Agencies' own systems (a hospital information system, a bus gate) that sign in as one of the agency's desks by client credentials: " +
        "list, create (the secret is printed once), delete.",
        "lct admin clients list",
        "lct admin clients create --agency HOSP_PEOPLE --terminal his-1 --name 医院信息系统",
        "lct admin clients delete agency-hosp-people-his-1"))
        .With(ListClients(), CreateClient(), DeleteClient());

    private static Command ListClients() => new Command("list", Describe("List the agencies' system clients.", "lct admin clients list"))
        .Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.GetAsync("api/clients", ct);
            if (c.Json)
            {
                c.Out.WriteJson(response["clients"]);
                return ExitCodes.Success;
            }

            var table = new Table("CLIENT", "DESK", "NAME");
            foreach (var client in response["clients"]?.AsArray() ?? [])
            {
                table.Add((string?)client!["clientId"], $"{(string?)client["agency"]}/{(string?)client["terminal"]}", (string?)client["displayName"]);
            }

            c.Out.Write(table.Render());
            return ExitCodes.Success;
        });

    private static Command CreateClient()
    {
        var agency = new Option<string>("--agency") { Description = "The agency code, e.g. HOSP_PEOPLE", Required = true };
        var terminal = new Option<string>("--terminal") { Description = "The desk it acts as, e.g. his-1", Required = true };
        var name = new Option<string?>("--name") { Description = "What the system is, e.g. 医院信息系统" };
        var command = new Command("create", Describe(
            "Create a client for an agency's system: its client id and secret (printed once: give them to the agency's IT staff in person). " +
            "Its tokens come from the provider's token endpoint with grant_type=client_credentials.",
            "lct admin clients create --agency HOSP_PEOPLE --terminal his-1 --name 医院信息系统"));
        command.With(agency, terminal, name);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            var response = await api.PostAsync("api/clients", new { agency = c.Get(agency)?.Trim().ToUpperInvariant(), terminal = c.Get(terminal)?.Trim(), displayName = c.Get(name) }, ct);
            if (c.Json)
            {
                c.Out.WriteJson(response);
                return ExitCodes.Success;
            }

            c.Out.Line($"client id:      {(string?)response["client"]!["clientId"]}");
            c.Out.Line($"client secret:  {(string?)response["clientSecret"]}");
            c.Out.Line("只显示这一次，请当面交给该单位信息部门。 Shown only this once: hand it to the agency's IT staff in person.");
            return ExitCodes.Success;
        });
    }

    private static Command DeleteClient()
    {
        var clientId = new Argument<string>("CLIENT") { Description = "The client id, e.g. agency-hosp-people-his-1" };
        var command = new Command("delete", Describe("Delete an agency's system client: it gets no new tokens (tokens already given last until they expire).",
            "lct admin clients delete agency-hosp-people-his-1"));
        command.With(clientId);
        return command.Runs(async (c, ct) =>
        {
            using var api = Api(c);
            await api.DeleteAsync("api/clients/" + AccountApi.Segment(c.Get(clientId)!), ct);
            c.Out.Line($"Deleted {c.Get(clientId)}.");
            return ExitCodes.Success;
        });
    }

    private static AccountApi Api(CliContext c)
    {
        var (authority, token) = c.ProviderToken();
        return new AccountApi(authority, token);
    }

    /// <summary>The account, then the one-time secret with the note to hand it over in person (SPEC §6: never sent by mail or chat).</summary>
    private static void WriteSecret(CliContext c, JsonNode response, string done, string field, string label, string note)
    {
        if (c.Json)
        {
            c.Out.WriteJson(response);
            return;
        }

        var account = response["account"].Deserialize<AccountView>(AccountApi.Json)!;
        c.Out.Line($"{done} {account.UserName}:");
        c.Out.Write(Details(account, c.Now));
        c.Out.Line();
        c.Out.Line($"{label}:  {(string?)response[field]}");
        c.Out.Line("只显示这一次，请当面交给本人，勿通过短信、邮件或聊天发送。");
        c.Out.Line("Shown only this once: hand it to the person in person, never by text message, mail or chat. " + note);
    }

    private static void WriteAccount(CliContext c, JsonNode response, AccountView account)
    {
        if (c.Json)
        {
            c.Out.WriteJson(response);
        }
        else
        {
            c.Out.Write(Details(account, c.Now));
        }
    }

    private static string Details(AccountView a, DateTimeOffset now) => Table.KeyValues(
    [
        ("user", a.UserName),
        ("role", a.Role),
        ("name", a.DisplayName),
        ("agency", a.Agency),
        ("terminal", a.Terminal),
        ("card", a.Card),
        ("state", a.State(now)),
        ("second factor", a.SecondFactor ? "set up" : "not set up"),
        ("created", Time(a.CreatedAt)),
        ("last sign-in", a.LastSignInAt is { } t ? Time(t) : "never"),
    ]);

    /// <summary>The role as the API spells it; the short forms of <c>--as</c> are accepted too.</summary>
    private static string? RoleName(string? role) => role?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "hr" => Roles.HrOfficer,
        "agency" or "desk" => Roles.AgencyTerminal,
        "org" => Roles.Auditor,
        var other => other, // the provider names a wrong role in its answer
    };

    private static string QueryString(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!.Trim())}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    /// <summary>An account as the API shows it (never a password hash, code or key).</summary>
    private sealed record AccountView(
        string UserName, string Role, string? DisplayName, string? Agency, string? Terminal, string? Card, bool Disabled,
        DateTimeOffset? LockedOutUntil, bool SecondFactor, bool MustChangePassword, bool ActivationPending, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt)
    {
        public string Place => Agency is not null ? $"{Agency}/{Terminal}" : Card ?? "";

        public string State(DateTimeOffset now)
        {
            var states = new List<string>();
            if (Disabled)
            {
                states.Add("disabled");
            }

            if (LockedOutUntil is { } until && until > now)
            {
                states.Add($"locked until {Time(until)}");
            }

            if (ActivationPending)
            {
                states.Add("activation pending");
            }
            else if (MustChangePassword)
            {
                states.Add("temporary password");
            }

            return states.Count == 0 ? "active" : string.Join(", ", states);
        }
    }
}
