using Lingcheng.Talent.Client.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Lingcheng.Talent.Web.Auth;

/// <summary>
/// Sign-in (SPEC §9): a session cookie that carries the user's access token. Outside Development the
/// token comes from OpenID Connect against <c>Auth:Authority</c>, the authority the services trust;
/// in Development without an authority, from the development sign-in page, which mints it with the
/// development key as <c>lct --as</c> does. In any other case the app does not start.
/// </summary>
public static class WebAuthentication
{
    private const string OidcScheme = "oidc";

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
            options.SlidingExpiration = false;

            // The session ends when the access token does: the services would refuse it anyway.
            options.Events.OnValidatePrincipal = context =>
            {
                if (WebUser.From(context.Principal) is not { } user || TokenExpiry(user.AccessToken) <= DateTimeOffset.UtcNow)
                {
                    context.RejectPrincipal();
                    return context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
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
                options.ClientId = auth["ClientId"];
                options.ClientSecret = auth["ClientSecret"];
                options.RequireHttpsMetadata = auth.GetValue("RequireHttpsMetadata", true);
                options.ResponseType = "code";
                options.UsePkce = true;
                options.MapInboundClaims = false;
                options.SaveTokens = false;
                options.Scope.Clear();
                foreach (var scope in (auth["Scopes"] ?? "openid profile").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    options.Scope.Add(scope);
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
                    context.Properties!.ExpiresUtc = token.ValidTo;
                    context.Properties.IsPersistent = false;
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
