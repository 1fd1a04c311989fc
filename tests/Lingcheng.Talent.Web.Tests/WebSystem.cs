using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Lingcheng.Talent.Web.Tests.WebSystem))]

namespace Lingcheng.Talent.Web.Tests;

/// <summary>
/// The three services and the web app as real processes on free loopback ports, and Debian's
/// Chromium driven by Playwright: one of each for the whole assembly. Each test signs in as its own
/// terminal or talent and issues its own cards, so tests never see each other's scans.
/// </summary>
public sealed class WebSystem : IAsyncLifetime
{
    /// <summary>Where Debian's package puts Chromium (.ci/run installs it); Playwright's own browser download cannot work here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArguments =
    [
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    /// <summary>Lifetime of a phone's dynamic token in this system (120 s by default in a real one).</summary>
    public const int DynamicTokenSeconds = 12;

    /// <summary>Clock skew the verification service allows in this system (60 s by default).</summary>
    public const int ClockSkewSeconds = 2;

    /// <summary>The browser contexts opened since the last test ended (<see cref="BrowserTests"/> closes them).</summary>
    private static readonly List<IBrowserContext> OpenContexts = [];

    public TalentSystem Services { get; private set; } = default!;

    public WebAppProcess Web { get; private set; } = default!;

    public IPlaywright Playwright { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Where the tests save their screenshots: <c>LINGCHENG_SCREENSHOTS</c>, else the test output folder.</summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("LINGCHENG_SCREENSHOTS") is { Length: > 0 } dir ? Path.GetFullPath(dir) : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's Chromium (apt-get install -y chromium fonts-noto-cjk; .ci/run does).");
        }

        // Short-lived phone tokens and a small clock skew, so the card tests see a QR expire and renew in seconds.
        Services = await TalentSystem.StartAsync(settings: new Dictionary<string, string>
        {
            ["Registry__DynamicTokenSeconds"] = DynamicTokenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Verification__ClockSkewSeconds"] = ClockSkewSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Web = await WebAppProcess.StartAsync(WebEnvironment());
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await LaunchAsync();
    }

    /// <summary>What the web app needs to talk to this system in Development, plus <paramref name="extra"/> settings.</summary>
    public Dictionary<string, string> WebEnvironment(IDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DataDirectory"] = Services.DataDirectory,
            ["Auth__DevelopmentKeyFile"] = Services.Environment["Auth__DevelopmentKeyFile"],
            ["Services__Registry"] = Services.Environment["Services__Registry"],
            ["Services__Entitlements"] = Services.Environment["Services__Entitlements"],
            ["Services__Verification"] = Services.Environment["Services__Verification"],
            ["Desk__ResetAfterSeconds"] = "3600",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        return env;
    }

    /// <summary>Starts another Chromium, e.g. with a fake camera; the caller disposes it.</summary>
    public Task<IBrowser> LaunchAsync(params string[] extraArguments) =>
        Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = [.. ChromiumArguments, .. extraArguments],
        });

    /// <summary>A fresh browser context (its own cookies) on the web app, in China's time zone.</summary>
    public async Task<IPage> NewPageAsync(IBrowser? browser = null, string? baseUrl = null, bool phone = false)
    {
        var context = await (browser ?? Browser).NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl ?? Web.BaseUrl,
            TimezoneId = "Asia/Shanghai",
            ViewportSize = phone ? new ViewportSize { Width = 360, Height = 640 } : new ViewportSize { Width = 1280, Height = 900 },
            DeviceScaleFactor = phone ? 2 : 1,
            IsMobile = phone,
            HasTouch = phone,
        });
        // Actions, navigations and expectations wait up to 30 s: beside the rest of the suite on two cores
        // CI runs saw a desk's Blazor connection take over Playwright's 5 s and a first sign-in over 15 s.
        // How fast the pages are is measured apart (DeskSpeedMeasurement, CardSpeedMeasurement).
        context.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        lock (OpenContexts)
        {
            OpenContexts.Add(context);
        }

        return await context.NewPageAsync();
    }

    /// <summary>
    /// Closes every context opened since the last call. A page left open keeps running: its Blazor
    /// connection, the card page's QR renewal, the camera's decoding; over the assembly that was most of
    /// Chromium's CPU, taken from the tests beside it.
    /// </summary>
    public static async Task CloseOpenContextsAsync()
    {
        IBrowserContext[] contexts;
        lock (OpenContexts)
        {
            contexts = [.. OpenContexts];
            OpenContexts.Clear();
        }

        foreach (var context in contexts)
        {
            try
            {
                await context.CloseAsync();
            }
            catch (PlaywrightException)
            {
                // Its browser is gone already (a test's own Chromium, disposed by the test).
            }
        }
    }

    /// <summary>Registers a synthetic talent and issues a card; returns its number and printed QR text.</summary>
    public async Task<(string CardNumber, string QrText)> IssueCardAsync(Tier tier = Tier.B, bool withPhoto = false)
    {
        var record = SyntheticData.NewTalent(tier);
        if (withPhoto)
        {
            record.Photo = Google.Protobuf.ByteString.CopyFrom(SyntheticData.TinyPng());
            record.PhotoContentType = "image/png";
        }

        var (_, issued) = await Services.RegisterWithCardAsync(record);
        return (issued.Card.CardNumber, issued.QrText);
    }

    /// <summary>Verifies a QR text as a desk of <paramref name="agency"/> would, over gRPC.</summary>
    public async Task<VerificationOutcome> VerifyAsync(string qrText, string agency = "HOSP_PEOPLE") =>
        (await new VerificationService.VerificationServiceClient(Services.Verification!.Channel)
            .VerifyAsync(new VerifyRequest { QrText = qrText }, Services.AsAgency(agency, "test-desk"))).Outcome;

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        if (Services is not null)
        {
            await Services.DisposeAsync();
        }
    }
}

/// <summary>The base of every test class here: when a test ends, the browser contexts it opened are closed.</summary>
public abstract class BrowserTests : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await WebSystem.CloseOpenContextsAsync();
}
