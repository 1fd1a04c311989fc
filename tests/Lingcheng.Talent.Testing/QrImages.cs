using System.Diagnostics.CodeAnalysis;
using Lingcheng.Talent.Cards;
using StbImageSharp;

namespace Lingcheng.Talent.Testing;

/// <summary>A decoded test image, 8-bit RGBA, rows top to bottom.</summary>
public sealed record TestImage(int Width, int Height, byte[] Rgba)
{
    /// <summary>Luminance (Rec. 601 weights), one byte a pixel, transparency composited over white (as on a screen).</summary>
    public byte[] ToLuminance()
    {
        var luminance = new byte[Width * Height];
        for (int i = 0, p = 0; i < luminance.Length; i++, p += 4)
        {
            var y = ((299 * Rgba[p]) + (587 * Rgba[p + 1]) + (114 * Rgba[p + 2]) + 500) / 1000;
            var a = Rgba[p + 3];
            luminance[i] = (byte)(((y * a) + (255 * (255 - a)) + 127) / 255);
        }

        return luminance;
    }
}

/// <summary>
/// Reads QR images in the tests with StbImageSharp (the decoder the CLI uses): the card library itself
/// decodes no image formats, it reads a QR code from luminance (<see cref="QrImageReader"/>).
/// </summary>
public static class QrImages
{
    /// <summary>Decodes a PNG or JPEG (throws on anything else).</summary>
    public static TestImage Decode(byte[] image)
    {
        var result = ImageResult.FromMemory(image, ColorComponents.RedGreenBlueAlpha);
        return new TestImage(result.Width, result.Height, result.Data);
    }

    /// <summary>Decodes a PNG or JPEG; false for anything it cannot decode.</summary>
    public static bool TryDecode(byte[] image, [NotNullWhen(true)] out TestImage? decoded)
    {
        try
        {
            decoded = Decode(image);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NotSupportedException)
        {
            decoded = null;
            return false;
        }
    }

    /// <summary>The QR text in an image, or null when the image does not decode or holds no QR code.</summary>
    public static string? Read(byte[] image) =>
        TryDecode(image, out var decoded) ? QrImageReader.TryDecode(decoded.ToLuminance(), decoded.Width, decoded.Height) : null;
}
