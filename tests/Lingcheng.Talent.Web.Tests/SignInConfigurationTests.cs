namespace Lingcheng.Talent.Web.Tests;

/// <summary>Sign-in outside Development: OpenID Connect only, and no start at all without an authority.</summary>
public sealed class SignInConfigurationTests(WebSystem system) : BrowserTests
{
    [Fact]
    public async Task Outside_Development_the_web_app_refuses_to_start_without_an_authority()
    {
        await using var app = await WebAppProcess.StartAsync(
            system.WebEnvironment(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Auth__Authority"] = "" }),
            waitUntilHealthy: false);

        Assert.True(app.WaitForExit(TimeSpan.FromSeconds(60)), "the app should exit by itself");
        Assert.Equal(1, app.ExitCode);
        Assert.Contains("Auth:Authority is not set", app.Output);
        Assert.DoesNotContain("   at ", app.Output); // one line, no stack trace
    }

    [Fact]
    public async Task With_an_authority_there_is_no_development_sign_in()
    {
        await using var app = await WebAppProcess.StartAsync(system.WebEnvironment(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__Authority"] = "https://127.0.0.1:1/", // never reached: the test stops before any challenge
        }));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(app.BaseUrl) };

        var page = await http.GetStringAsync("/signin", TestContext.Current.CancellationToken);
        Assert.DoesNotContain("开发环境登录", page);
        Assert.DoesNotContain("/signin/development", page);
        Assert.Contains("/signin/oidc", page);

        using var post = await http.PostAsync("/signin/development", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["role"] = "hr_officer",
        }), TestContext.Current.CancellationToken);
        Assert.True((int)post.StatusCode is >= 400 and < 500, $"got {post.StatusCode}"); // no such endpoint (the not-found page refuses a form without its antiforgery token)
        Assert.False(post.Headers.Contains("Set-Cookie") && post.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("lct.session", StringComparison.Ordinal)));
    }
}
