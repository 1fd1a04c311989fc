using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Web.Auth;

/// <summary>
/// Sign-in (SPEC §9): a session cookie that carries the user's access token. Outside Development the
/// token comes from OpenID Connect against <c>Auth:Authority</c> (the built-in identity provider, or any
/// authority the services trust); in Development without an authority, from the development sign-in
/// page, which mints it with the development key as <c>lct --as</c> does. In any other case the app does
/// not start. Either way the session ends after <c>Auth:IdleTimeout</c> without a request, and never
/// outlives its access token.
/// </summary>
public static class WebAuthentication
{
    /// <summary>The OpenID Connect scheme (sign-in and sign-out at the authority).</summary>
    public const string OidcScheme = "oidc";

    /// <summary>The web app's client at the built-in identity provider.</summary>
    public const string DefaultClientId = "lingcheng-web";

    /// <summary>等保 2.0 level 3 (docs/security.md): a session idle this long ends.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(15);

    /// <summary>The idle time-out of the session cookie (<c>Auth:IdleTimeout</c>).</summary>
    public static TimeSpan IdleTimeout(IConfiguration configuration) =>
        configuration.GetValue("Auth:IdleTimeout", DefaultIdleTimeout) is var idle && idle > TimeSpan.Zero ? idle : DefaultIdleTimeout;

    /// <summary>True when the development sign-in page is served: Development, and no authority configured.</summary>
    public static bool UsesDevelopmentSignIn(IHostEnvironment environment, IConfiguration configuration) =>
        environment.IsDevelopment() && string.IsNullOrWhiteSpace(configuration["Auth:Authority"]);

    /// <summary>Why the app cannot start with this configuration, in one line; null when it can.</summary>
    public static string? ConfigurationError(IHostEnvironment environment, IConfiguration configuration)
    {
        if (!environment.IsDevelopment() && string.IsNullOrWhiteSpace(configuration["Auth:Authority"]))
        {
            return $"Auth:Authority is not set: in the {environment.EnvironmentName} environment the web app signs people in only " +
                "through OpenID Connect (set Auth:Authority, Auth:ClientId and Auth:ClientSecret); the development sign-in page exists only in Development.";
        }

        return null;
    }

    public static WebApplicationBuilder AddWebAuthentication(this WebApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection("Auth");
        var development = UsesDevelopmentSignIn(builder.Environment, builder.Configuration);
        var idle = IdleTimeout(builder.Configuration);
        var authentication = builder.Services.AddAuthentication(options =>
        {
            options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = development ? CookieAuthenticationDefaults.AuthenticationScheme : OidcScheme;
        });

        authentication.AddCookie(options =>
        {
            options.Cookie.Name = "lct.session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = "/signin";
            options.AccessDeniedPath = "/denied";

            // Idle time-out (等保 8.1.4.1 b): the ticket expires this long after the last request that
            // renewed it. The cookie's own sliding renews only past half the window, which would end an
            // active session after half the time-out; OnValidatePrincipal renews sooner (below).
            options.ExpireTimeSpan = idle;
            options.SlidingExpiration = true;

            options.Events.OnValidatePrincipal = context =>
            {
                // The session ends when the access token does: the services would refuse it anyway.
                if (WebUser.From(context.Principal) is not { } user || TokenExpiry(user.AccessToken) <= DateTimeOffset.UtcNow)
                {
                    context.RejectPrincipal();
                    return context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }

                // Renew once a tenth of the window has passed, so a session ends between 90 % and 100 % of the
                // time-out after its last request, at the cost of a new cookie at most every tenth of it.
                if (context.Properties.IssuedUtc is { } issued && DateTimeOffset.UtcNow - issued >= idle / 10)
                {
                    context.ShouldRenew = true;
                }

                return Task.CompletedTask;
            };
        });

        if (development)
        {
            builder.Services.AddSingleton(_ => DevelopmentTokens.FromFile(AuthExtensions.DevelopmentKeyFile(builder.Configuration), createIfMissing: true));
        }
        else
        {
            authentication.AddOpenIdConnect(OidcScheme, options =>
            {
                options.Authority = auth["Authority"];
                options.ClientId = auth["ClientId"] is { Length: > 0 } clientId ? clientId : DefaultClientId;

                // The provider and the app share the data folder on one machine: whichever starts first
                // creates the secret file (KeyFiles makes both agree); elsewhere it is a mounted secret.
                options.ClientSecret = auth["ClientSecretFile"] is { Length: > 0 } secretFile
                    ? KeyFiles.Read(secretFile, create: true)
                    : auth["ClientSecret"];
                options.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
                options.ResponseType = "code";
                options.UsePkce = true;
                options.MapInboundClaims = false;
                options.SaveTokens = false;
                options.Scope.Clear();
                foreach (var scope in (auth["Scopes"] is { Length: > 0 } scopes ? scopes : "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    options.Scope.Add(scope);
                }

                if (!options.RequireHttpsMetadata)
                {
                    // A lab on plain HTTP (http://127.0.0.1): browsers drop SameSite=None cookies that are not
                    // Secure, and the provider's form post back is same-site there, so Lax does.
                    options.CorrelationCookie.SameSite = options.NonceCookie.SameSite = SameSiteMode.Lax;
                    options.CorrelationCookie.SecurePolicy = options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                }

                // The session keeps what the services need: the access token and its role claims.
                options.Events.OnTokenValidated = context =>
                {
                    var accessToken = context.TokenEndpointResponse?.AccessToken;
                    if (string.IsNullOrEmpty(accessToken))
                    {
                        context.Fail("The authority returned no access token.");
                        return Task.CompletedTask;
                    }

                    var token = new JsonWebToken(accessToken);
                    context.Principal = WebUser.Principal(accessToken, token.Claims, OidcScheme);
                    context.Properties!.IsPersistent = false;
                    context.Properties.ExpiresUtc = null; // the cookie's idle time-out, renewed by use
                    if (string.IsNullOrEmpty(context.Properties.RedirectUri) || context.Properties.RedirectUri == "/")
                    {
                        context.Properties.RedirectUri = SignInEndpoints.HomeOf(WebUser.From(context.Principal)?.Role ?? "");
                    }

                    return Task.CompletedTask;
                };

                // A refusal or an error at the authority (access denied, an expired sign-in): back to the
                // sign-in page with a sentence, not an exception page.
                options.Events.OnRemoteFailure = context =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebAuthentication))
                        .LogWarning("Sign-in at the authority failed: {Reason}", context.Failure?.Message);
                    context.Response.Redirect("/signin?error=authority");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        }

        builder.Services.AddAuthorizationBuilder().AddWebPolicies();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>When an access token expires (its <c>exp</c>); the past for a token that cannot be read.</summary>
    public static DateTimeOffset TokenExpiry(string accessToken)
    {
        try
        {
            return new JsonWebToken(accessToken).ValidTo is var to && to > DateTime.MinValue ? new DateTimeOffset(to, TimeSpan.Zero) : DateTimeOffset.MinValue;
        }
        catch (ArgumentException)
        {
            return DateTimeOffset.MinValue;
        }
    }
}
