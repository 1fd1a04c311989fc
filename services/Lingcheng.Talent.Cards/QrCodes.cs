using System.Text;
using QRCoder;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// Renders QR texts at error correction level Q. A card token's text is all in the QR
/// alphanumeric set (Base45 was designed for it), so the encoder picks alphanumeric mode.
/// </summary>
public static class QrCodes
{
    /// <summary>PNG with a 4-module quiet zone.</summary>
    public static byte[] RenderPng(string text, int pixelsPerModule = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pixelsPerModule, 1);
        using var data = Create(text);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(pixelsPerModule);
    }

    /// <summary>SVG with a 4-module quiet zone, sized by its viewBox so it scales to any print size.</summary>
    public static string RenderSvg(string text)
    {
        using var data = Create(text);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(4, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    /// <summary>
    /// Text for a terminal: two modules per character cell with Unicode half blocks, 4-module
    /// quiet zone. By default light modules are drawn (ink is light on a dark terminal); set
    /// <paramref name="darkBackground"/> false for a terminal with a light background.
    /// </summary>
    /// <remarks>
    /// Hand-written on purpose (issue 26 weighed the libraries): QRCoder still builds the code; this only
    /// walks its module matrix, choosing the ink for a dark or a light terminal and closing an odd last row
    /// with light quiet zone, and the tests read the result back. A library renderer (QRCoder's ASCII
    /// output, a terminal-QR package) would be no better at this and, for a 20-line loop, would only add
    /// a dependency to the SDK agencies embed.
    /// </remarks>
    public static string RenderTerminal(string text, bool darkBackground = true)
    {
        using var data = Create(text);
        var matrix = data.ModuleMatrix;
        var size = matrix.Count;
        var builder = new StringBuilder((size + 1) * ((size + 1) / 2));
        for (var y = 0; y < size; y += 2)
        {
            for (var x = 0; x < size; x++)
            {
                // Ink goes where a module must look light on a dark screen, or dark on a light one.
                // Below the last row (the module count is odd) lies more quiet zone, which is light.
                var top = matrix[y][x] != darkBackground;
                var bottom = y + 1 < size ? matrix[y + 1][x] != darkBackground : darkBackground;
                builder.Append((top, bottom) switch
                {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    _ => ' ',
                });
            }

            builder.Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>The QR version (1–40) the text needs at level Q.</summary>
    public static int GetVersion(string text)
    {
        using var data = Create(text);
        return data.Version;
    }

    private static QRCodeData Create(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.Q);
    }
}
