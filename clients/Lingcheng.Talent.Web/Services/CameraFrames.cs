using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Web.Auth;

namespace Lingcheng.Talent.Web.Services;

/// <summary>
/// Reads a QR code from one camera frame that the desk's page sends as 8-bit luminance (one byte a
/// pixel, row by row): the page grabs a frame, this decodes it with ZXing.Net, the page verifies the
/// text it gets back. Decoding on the server keeps the page free of a client-side library
/// (docs/web.md has the measurement). Only for signed-in desks; it reads, it never records anything.
/// </summary>
public static class CameraFrames
{
    /// <summary>The largest frame side accepted; the page scales frames down to 800 pixels.</summary>
    public const int MaxSide = 1600;

    public static IEndpointRouteBuilder MapCameraFrames(this IEndpointRouteBuilder app)
    {
        app.MapPost("/desk/frames", async (HttpContext context, int width, int height) =>
        {
            // A content type no plain HTML form can send: another site's page cannot post here without a CORS preflight, which is refused.
            if (context.Request.ContentType != "application/octet-stream")
            {
                return Results.Problem("Content-Type must be application/octet-stream.", statusCode: StatusCodes.Status415UnsupportedMediaType);
            }

            if (width is < 16 or > MaxSide || height is < 16 or > MaxSide || context.Request.ContentLength != (long)width * height)
            {
                return Results.Problem($"width and height must be 16–{MaxSide} and the body exactly width × height bytes.", statusCode: StatusCodes.Status400BadRequest);
            }

            var luminance = new byte[width * height];
            await context.Request.Body.ReadExactlyAsync(luminance, context.RequestAborted);
            var text = QrImageReader.TryDecode(luminance, width, height);
            return text is null ? Results.NoContent() : Results.Ok(new { text });
        }).RequireAuthorization(Policies.Desk).DisableAntiforgery();
        return app;
    }
}
