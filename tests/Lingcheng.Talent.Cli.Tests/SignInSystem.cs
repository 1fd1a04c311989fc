using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// The three services and the built-in identity provider (Development, demo accounts seeded) as processes
/// on loopback ports, trusting only the provider's tokens; the demo HR officer signed in once in an
/// <see cref="IdentityBrowser"/> (password, then the second factor set up), who approves the codes
/// <c>lct login</c> shows. lct runs in a scratch folder, with a token cache per test and no Development environment
/// unless a test asks for it.
/// </summary>
public sealed class SignInSystem : IAsyncLifetime
{
    private readonly SemaphoreSlim _browserLock = new(1, 1);
    private readonly Lazy<Task<string>> _hrSignIn;
    private IdentityBrowser? _hr;

    public SignInSystem() => _hrSignIn = new(() => LoginAsHrAsync(NewTokenCache()));

    public TalentSystem System { get; private set; } = null!;

    public string Authority => System.Identity!.Address;

    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "lct-login-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Demo account name → its password (from the provider's one-time file keys/demo-accounts.txt).</summary>
    public Dictionary<string, string> DemoPasswords { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(WorkDirectory);
        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Identity__SeedDemoAccounts"] = "true",
        };
        try
        {
            System = await TalentSystem.StartAsync(identity: true, settings: settings);
        }
        catch (Exception ex) when (ex is TimeoutException or HttpRequestException or Grpc.Core.RpcException)
        {
            // Four processes starting beside the assembly's own three on a shared two-core machine can miss the
            // harness's 90 s readiness limit (reported as a timeout, or as the last failed readiness probe); the
            // failed start has stopped its processes, so one more try is clean.
            try
            {
                System = await TalentSystem.StartAsync(identity: true, settings: settings);
            }
            catch
            {
                Directory.Delete(WorkDirectory, recursive: true); // no DisposeAsync follows a failed start
                throw;
            }
        }

        foreach (var line in File.ReadAllLines(Path.Combine(System.DataDirectory, "keys", "demo-accounts.txt")).Skip(1))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3)
            {
                DemoPasswords[parts[0]] = parts[2];
            }
        }
    }

    /// <summary>A fresh token cache path for one test (its folder not yet made: lct makes it).</summary>
    public string NewTokenCache() => Path.Combine(WorkDirectory, Guid.NewGuid().ToString("N"), "lct", "token.json");

    /// <summary>lct's environment: the system's addresses, the given cache, and whatever else the test adds.</summary>
    public Dictionary<string, string> Environment(string tokenCache, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string>
        {
            ["LCT_REGISTRY"] = System.Registry!.Address,
            ["LCT_ENTITLEMENTS"] = System.Entitlements!.Address,
            ["LCT_VERIFICATION"] = System.Verification!.Address,
            ["LCT_AUTHORITY"] = Authority,
            ["LCT_TOKEN_CACHE"] = tokenCache,
            ["LCT_DEV_KEY_FILE"] = Path.Combine(System.DataDirectory, "keys", "dev-jwt.key"),
            ["LCT_OFFLINE_CACHE"] = Path.Combine(WorkDirectory, "offline"),
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>Runs lct to its end with <see cref="Environment"/>.</summary>
    public Task<LctResult> LctAsync(string tokenCache, params string[] args) => LctRun.RunAsync(WorkDirectory, Environment(tokenCache), args);

    /// <summary>
    /// Runs <c>lct login</c> into <paramref name="tokenCache"/>, reads the code it prints, has the demo HR
    /// officer approve it, and waits for lct to exit 0.
    /// </summary>
    public async Task<string> LoginAsHrAsync(string tokenCache)
    {
        await using var login = LctRun.Start(WorkDirectory, Environment(tokenCache), "login");
        await ApproveAsHrAsync(await login.WaitForAsync(UserCodeOf, TimeSpan.FromSeconds(60)));
        var result = await login.ExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        return tokenCache;
    }

    /// <summary>
    /// A token cache of its own for one test, holding the HR officer's sign-in: one <c>lct login</c> for the
    /// tests that only need to be signed in (each login waits out the provider's polling interval), copied.
    /// </summary>
    public async Task<string> SignedInAsHrAsync()
    {
        var shared = await _hrSignIn.Value;
        var cache = NewTokenCache();
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        File.Copy(shared, cache);
        return cache;
    }

    /// <summary>The user code in a line lct login printed, or null.</summary>
    public static string? UserCodeOf(string line)
    {
        const string marker = "and enter the code:";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : line[(at + marker.Length)..].Trim() is { Length: > 0 } code ? code : null;
    }

    /// <summary>
    /// The demo HR officer approves a device code in the browser: signed in the first time (the second factor
    /// set up then), the session reused afterwards. Returns the page the approval ended on.
    /// </summary>
    public async Task<(string Path, string Html)> ApproveAsHrAsync(string userCode)
    {
        await _browserLock.WaitAsync();
        try
        {
            var verify = "/connect/verify?user_code=" + Uri.EscapeDataString(userCode);
            if (_hr is null)
            {
                _hr = new IdentityBrowser(Authority);
                await _hr.SignInAsync("hr-demo", DemoPasswords["hr-demo"], verify);
            }
            else
            {
                await _hr.GetAsync(verify.TrimStart('/'));
            }

            if (!_hr.LastPage.Path.StartsWith("/connect/verify", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The officer did not reach the device page but {_hr.LastPage.Path}: {IdentityBrowser.Text(_hr.LastPage.Html)}");
            }

            await _hr.PostFormAsync(_hr.LastPage, new() { ["user_code"] = userCode });
            return _hr.LastPage;
        }
        finally
        {
            _browserLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _hr?.Dispose();
        await System.DisposeAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by a dying process; the OS cleans the temp folder
        }
    }
}
