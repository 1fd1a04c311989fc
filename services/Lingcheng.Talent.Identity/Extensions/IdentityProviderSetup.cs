using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Identity.Accounts;
using Lingcheng.Talent.Identity.Admin;
using Lingcheng.Talent.Identity.Connect;
using Lingcheng.Talent.Identity.Pages.Account;
using Lingcheng.Talent.Identity.Data;
using Lingcheng.Talent.Identity.Keys;
using Lingcheng.Talent.ServiceDefaults;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Lingcheng.Talent.Identity.Extensions;

/// <summary>
/// The provider's parts: ASP.NET Core Identity for accounts, passwords, lockout and TOTP; OpenIddict's
/// server for the authorization-code (with PKCE), device and client-credentials flows and its validation
/// for the account API; Razor Pages for sign-in.
/// </summary>
public static class IdentityProviderSetup
{
    /// <summary>Policy of the account API's reads (HR officers and auditors) and writes (HR officers).</summary>
    public const string ReadAccounts = "accounts.read", ManageAccounts = "accounts.manage";

    public static WebApplicationBuilder AddIdentityProvider(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Identity").Get<IdentityProviderOptions>() ?? new IdentityProviderOptions();
        builder.Services.Configure<IdentityProviderOptions>(builder.Configuration.GetSection("Identity"));
        var keys = ProviderKeys.From(builder.Configuration, options);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddLoggingAndTelemetry();
        builder.Services.AddHostedService<ParentProcessWatcher>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ServiceDefaults.Extensions.ShutdownTimeout);

        builder.AddServiceDatabase<IdentityDb, SqliteIdentityDb, SqlServerIdentityDb>("Identity");
        builder.Services.AddHealthChecks();
        builder.Services.AddDataProtection()
            .SetApplicationName("lingcheng-identity")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(keys.Directory, "identity-data-protection")));

        builder.Services.AddIdentity<Account, IdentityRole>(o =>
            {
                // 等保 2.0 level 3 (docs/security.md): complexity, lockout after failures, unique accounts.
                o.Password.RequiredLength = 10;
                o.Password.RequiredUniqueChars = 4;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = options.LockoutAttempts;
                o.Lockout.DefaultLockoutTimeSpan = options.LockoutDuration;
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
                o.ClaimsIdentity.UserNameClaimType = Claims.Name;
                o.ClaimsIdentity.UserIdClaimType = Claims.Subject;
                o.ClaimsIdentity.RoleClaimType = Claims.Role;
            })
            .AddEntityFrameworkStores<IdentityDb>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<SingleUseAuthenticatorCodes>(TokenOptions.DefaultAuthenticatorProvider) // each code accepted once
            .AddPasswordValidator<PasswordRules>()
            .AddErrorDescriber<BilingualIdentityErrors>();
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "lct.idp";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = options.IdleTimeout; // 等保 8.1.4.1 b: a session idle this long ends
            o.SlidingExpiration = true;
            o.LoginPath = "/account/login";
            o.AccessDeniedPath = "/account/login";
        });

        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<IdentityDb>())
            .AddServer(o =>
            {
                o.SetIssuer(new Uri(options.Issuer));
                o.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetDeviceAuthorizationEndpointUris("connect/device")
                    .SetEndUserVerificationEndpointUris("connect/verify")
                    .SetEndSessionEndpointUris("connect/logout")
                    .SetUserInfoEndpointUris("connect/userinfo");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowDeviceAuthorizationFlow()
                    .AllowClientCredentialsFlow();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
                o.Configure(server => server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain)); // PKCE with S256 only
                o.SetAccessTokenLifetime(options.AccessTokenLifetime);
                o.SetIdentityTokenLifetime(TimeSpan.FromMinutes(10));
                o.SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2));
                o.SetDeviceCodeLifetime(TimeSpan.FromMinutes(10));
                o.SetUserCodeLifetime(TimeSpan.FromMinutes(10));

                // Plain signed JWTs (typ at+jwt) that the services validate against the published keys.
                o.AddSigningKey(keys.SigningKey());
                o.AddEncryptionKey(keys.EncryptionKey());
                o.DisableAccessTokenEncryption();

                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndUserVerificationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableStatusCodePagesIntegration()
                    // TLS ends at the district's reverse proxy (docs/operations.md); on one machine it is plain HTTP.
                    .DisableTransportSecurityRequirement();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.AddAudiences(options.Audience);
                o.UseAspNetCore();
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReadAccounts, p => p.AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireClaim(ClaimNames.Role, Roles.HrOfficer, Roles.Auditor))
            .AddPolicy(ManageAccounts, p => p.AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireClaim(ClaimNames.Role, Roles.HrOfficer));

        if (!string.IsNullOrWhiteSpace(options.Federation.Authority))
        {
            builder.Services.AddAuthentication().AddOpenIdConnect(Federation.Scheme, options.Federation.DisplayName, o =>
            {
                var federation = options.Federation;
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.Authority = federation.Authority;
                o.ClientId = federation.ClientId;
                // On one machine (and in the tests) the platform and this provider may share the file; elsewhere it is a mounted secret.
                o.ClientSecret = federation.ClientSecretFile is { Length: > 0 } file ? KeyFiles.Read(file, create: true) : null;
                o.RequireHttpsMetadata = federation.RequireHttpsMetadata;
                o.ResponseType = "code";
                o.ResponseMode = "query"; // a plain redirect back: no auto-submitting form, and Lax cookies suffice
                o.UsePkce = true;
                o.MapInboundClaims = false;
                o.CorrelationCookie.SameSite = o.NonceCookie.SameSite = SameSiteMode.Lax;
                // Secure-only by default; behind TLS they are, and on one machine's plain HTTP they must still work.
                o.CorrelationCookie.SecurePolicy = o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Scope.Clear();
                o.Scope.Add("openid");
            });
        }

        builder.Services.AddRazorPages();
        builder.Services.AddScoped<AccountAudit>();
        builder.Services.AddScoped<AccountGate>();
        builder.Services.AddScoped<AccountAdministration>();
        builder.Services.AddScoped<AgencyClients>();
        builder.Services.AddSingleton<RegistryLookup>();
        builder.Services.AddHostedService<ClientsAndDemoAccounts>();
        return builder;
    }

    /// <summary>
    /// Readiness <c>/healthz/ready</c> (the database answers; what probes and the test harness wait for) and
    /// liveness <c>/healthz/live</c>, over HTTP like the rest of the provider.
    /// </summary>
    public static IEndpointRouteBuilder MapIdentityHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz/ready", new() { Predicate = c => c.Tags.Contains(Readiness.Ready) }).AllowAnonymous();
        app.MapHealthChecks("/healthz/live", new() { Predicate = _ => false }).AllowAnonymous();
        return app;
    }
}
