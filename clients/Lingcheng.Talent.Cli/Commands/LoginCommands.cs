using System.CommandLine;
using System.Text.Json.Nodes;
using Lingcheng.Talent.Cli.Infrastructure;
using static Lingcheng.Talent.Cli.Infrastructure.CliOutput;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary>
/// <c>lct login</c>, <c>lct logout</c>, <c>lct whoami</c>: signing in at the identity provider with the
/// device flow (RFC 8628) and the per-user token cache every other command then uses.
/// </summary>
internal static class LoginCommands
{
    public static Command CreateLogin()
    {
        var command = new Command("login", Describe(
            "Sign in at the identity provider (登录): lct shows a code, you approve it in a browser (password and second factor), " +
            "and the token is kept for this user until it expires (about an hour) or `lct logout`.",
            "lct login",
            "lct login --authority https://id.lingcheng.example   # later logins go there too",
            "LCT_AUTHORITY=http://10.0.0.5:5104 lct login"));
        return command.Runs(async (c, ct) =>
        {
            var authority = c.Authority(preferLogin: true); // signing in again goes where the last sign-in went
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var flow = new DeviceFlow(http, TimeProvider.System);
            var endpoints = await flow.DiscoverAsync(authority, ct);
            var device = await flow.StartAsync(endpoints, ct);

            // The instructions go to stdout for a person; with --json to stderr, so stdout stays one JSON document.
            var say = c.Json ? c.Out.Error : c.Out.Writer;
            var minutes = device.ExpiresIn is > 0 ? (int)Math.Ceiling(device.ExpiresIn.Value / 60.0) : 10;
            say.WriteLine($"请在浏览器中打开 / Open in a browser:  {device.VerificationUri}");
            say.WriteLine($"并输入代码 / and enter the code:     {device.UserCode}");
            if (device.VerificationUriComplete is { Length: > 0 } complete)
            {
                say.WriteLine($"或直接打开 / or open directly:        {complete}");
            }

            say.WriteLine($"等待确认（{minutes} 分钟内有效，Ctrl+C 取消）/ Waiting for approval (the code lasts {minutes} min; Ctrl+C to cancel) …");
            say.Flush();

            var answer = await flow.PollAsync(endpoints, device, ct);
            var now = c.Now;
            var expires = answer.ExpiresIn is > 0 ? now.AddSeconds(answer.ExpiresIn.Value) : ExpiryOf(answer.AccessToken) ?? now.AddHours(1);
            var login = CachedToken.For(authority.AbsoluteUri.TrimEnd('/'), answer.AccessToken, expires, now);
            c.Logins.Save(login);
            if (c.Json)
            {
                c.Out.WriteJson(ToJson(login, c.Logins.Path));
            }
            else
            {
                c.Out.Line($"已登录 / Signed in as {login.Subject} ({login.Role}) until {Time(login.ExpiresAt)} (CST).");
                c.Out.Line($"The token is kept in {c.Logins.Path} (only you can read it); `lct logout` deletes it.");
            }

            return ExitCodes.Success;
        });
    }

    public static Command CreateLogout()
    {
        var command = new Command("logout", Describe(
            "Forget the sign-in of `lct login` (退出): deletes the cached token. The token itself stays valid at the services until it expires (about an hour).",
            "lct logout"));
        return command.Runs((c, _) =>
        {
            var login = SafeLoad(c);
            var deleted = c.Logins.Delete();
            if (c.Json)
            {
                c.Out.WriteJson(new JsonObject { ["signed_out"] = deleted, ["subject"] = login?.Subject, ["token_cache"] = c.Logins.Path });
            }
            else
            {
                c.Out.Line(deleted
                    ? $"已退出 / Signed out{(login?.Subject is { } s ? " " + s : "")}: deleted {c.Logins.Path}."
                    : $"Not signed in (no {c.Logins.Path}).");
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    public static Command CreateWhoami()
    {
        var command = new Command("whoami", Describe(
            "Who the other commands act as: the token of --token, --as or LCT_TOKEN when given, else the sign-in of `lct login` — " +
            "subject, role, agency and terminal or card, and when the token expires. Exit code 1 when not signed in or expired.",
            "lct whoami",
            "lct whoami --json"));
        return command.Runs((c, _) =>
        {
            var credential = c.ExplicitCredential();
            var login = credential is null ? c.LoadLogin() : null;
            if (credential is null && login is null)
            {
                throw new CliException($"not signed in: run `lct login` (no {c.Logins.Path})");
            }

            var entry = login ?? CachedToken.For("", credential!.Token, ExpiryOf(credential.Token) ?? DateTimeOffset.MaxValue, c.Now);
            var source = credential?.Source ?? "lct login";
            var expired = entry.IsExpired(c.Now);
            if (c.Json)
            {
                var json = ToJson(entry, login is null ? null : c.Logins.Path);
                json["source"] = source;
                json["expired"] = expired;
                c.Out.WriteJson(json);
            }
            else
            {
                c.Out.Write(Table.KeyValues(
                [
                    ("subject", entry.Subject ?? "(not a JWT: only the services can read it)"),
                    ("role", entry.Role),
                    ("agency", entry.Agency),
                    ("terminal", entry.Terminal),
                    ("card", entry.Card),
                    ("expires", entry.ExpiresAt == DateTimeOffset.MaxValue ? null
                        : $"{Time(entry.ExpiresAt)} CST ({(expired ? "expired" : "in " + Age(entry.ExpiresAt - c.Now))})"),
                    ("authority", entry.Authority),
                    ("source", source),
                    ("token cache", login is null ? null : c.Logins.Path),
                ]));
            }

            if (expired)
            {
                throw new CliException($"the token expired at {Time(entry.ExpiresAt)}: run `lct login`");
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static JsonObject ToJson(CachedToken login, string? cachePath) => new()
    {
        ["subject"] = login.Subject,
        ["role"] = login.Role,
        ["agency"] = login.Agency,
        ["terminal"] = login.Terminal,
        ["card"] = login.Card,
        ["expires_at"] = login.ExpiresAt == DateTimeOffset.MaxValue ? null : login.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["authority"] = login.Authority.Length == 0 ? null : login.Authority,
        ["token_cache"] = cachePath,
    };

    /// <summary>The token's own <c>exp</c>, when it is a JWT.</summary>
    private static DateTimeOffset? ExpiryOf(string token)
    {
        try
        {
            var jwt = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token);
            return jwt.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Logging out must work even when the file is damaged.</summary>
    private static CachedToken? SafeLoad(CliContext c)
    {
        try
        {
            return c.LoadLogin();
        }
        catch (CliException)
        {
            return null;
        }
    }
}
