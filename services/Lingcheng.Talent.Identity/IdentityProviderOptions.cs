namespace Lingcheng.Talent.Identity;

/// <summary>
/// Settings of the identity provider (section <c>Identity</c>). The defaults are the 等保 2.0 level 3
/// choices written in docs/security.md; tests shorten the time-outs.
/// </summary>
public sealed class IdentityProviderOptions
{
    /// <summary>The issuer in every token and the discovery document; the address the services are given as <c>Auth:Authority</c>.</summary>
    public string Issuer { get; set; } = "http://127.0.0.1:5104/";

    /// <summary>The audience of the access tokens, the one every service validates.</summary>
    public string Audience { get; set; } = "lingcheng-talent";

    /// <summary>Lifetime of an access token; a web session ends with it.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of a desk's access token: a working shift (the desk page cannot renew it mid-queue).</summary>
    public TimeSpan DeskAccessTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A sign-in session idle this long ends (here and in the web app).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed attempts (password, second factor, activation) before the account locks.</summary>
    public int LockoutAttempts { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A password older than this must be changed at the next sign-in.</summary>
    public TimeSpan PasswordMaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a talent's one-time activation code stays valid.</summary>
    public TimeSpan ActivationCodeLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Where keys and generated client secrets live: default <c>{DataDirectory}/keys</c>.</summary>
    public string? KeysDirectory { get; set; }

    /// <summary>Development only: create one demo account per role and a desk per agency, and print their passwords once.</summary>
    public bool SeedDemoAccounts { get; set; }

    /// <summary>The web application's client.</summary>
    public WebClientOptions Web { get; set; } = new();

    /// <summary>The services that get tokens by client credentials (role <c>service</c>), one client each.</summary>
    public string[] ServiceClients { get; set; } = [];

    /// <summary>The system's own services, when <see cref="ServiceClients"/> names none.</summary>
    public static readonly string[] DefaultServiceClients = ["registry", "entitlements", "verification"];

    /// <summary>An outside OpenID Connect platform (the province's 统一身份认证平台) people may sign in through.</summary>
    public FederationOptions Federation { get; set; } = new();
}

/// <summary>
/// Sign-in at an outside platform: this provider is its client (authorization code + PKCE). Someone
/// signed in there gets tokens here only when HR has linked their outside subject to a local account,
/// whose role, agency or card the tokens then carry; officers still give this provider's second factor.
/// </summary>
public sealed class FederationOptions
{
    /// <summary>The platform's issuer; empty turns federation off.</summary>
    public string? Authority { get; set; }

    public string ClientId { get; set; } = "lingcheng-talent";

    /// <summary>The client secret as a file (a mounted secret).</summary>
    public string? ClientSecretFile { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The button's text on the sign-in page.</summary>
    public string DisplayName { get; set; } = "省统一身份认证平台";
}

public sealed class WebClientOptions
{
    public string ClientId { get; set; } = "lingcheng-web";

    /// <summary>
    /// The web app's public addresses; its sign-in and sign-out callbacks are under them. Required outside
    /// Development; in Development the local ones (5180) when none is set. (Empty by default: configured
    /// array entries are added to a default's, not put in their place.)
    /// </summary>
    public string[] BaseUrls { get; set; } = [];
}
