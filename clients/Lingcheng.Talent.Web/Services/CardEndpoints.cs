using Lingcheng.Talent.Web.Auth;

namespace Lingcheng.Talent.Web.Services;

/// <summary>The talent's page's one call from the browser: a fresh QR before the shown one expires.</summary>
public static class CardEndpoints
{
    public static IEndpointRouteBuilder MapCardEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/card/qr", async (HttpContext context, CardService cards) =>
        {
            // A live credential: no shared or browser cache may keep it (the page's service worker keeps the last one itself).
            context.Response.Headers.CacheControl = "no-store";
            var user = WebUser.From(context.User)!;
            var qr = await cards.NewQrAsync(user, context.RequestAborted);
            return qr is null
                ? Results.Problem("The card is not active: no QR code can be issued. Reload the page to see its state.", statusCode: StatusCodes.Status409Conflict)
                : Results.Ok(new { svg = qr.Svg, issuedAt = qr.IssuedAt.ToUnixTimeMilliseconds(), expiresAt = qr.ExpiresAt.ToUnixTimeMilliseconds() });
        }).RequireAuthorization(Policies.Card);
        return app;
    }
}
