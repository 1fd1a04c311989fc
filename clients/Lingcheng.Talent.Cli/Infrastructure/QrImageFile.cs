using Lingcheng.Talent.Cards;
using StbImageSharp;

namespace Lingcheng.Talent.Cli.Infrastructure;

/// <summary>
/// Reads the QR code in an image file for <c>--image</c>: a PNG (a rendered card, a screenshot) or a
/// JPEG (what a phone's camera saves), decoded with StbImageSharp (a managed port of stb_image, no
/// native library), then read with ZXing through <see cref="QrImageReader"/>. The card library decodes
/// no image formats itself. Files and images over the limits below are refused before decoding.
/// </summary>
public static class QrImageFile
{
    /// <summary>Largest file read (bytes). A phone's JPEG is a few MiB.</summary>
    public const long MaxBytes = 20L * 1024 * 1024;

    /// <summary>Largest image decoded (pixels): a 48-megapixel phone photo fits; a small file cannot demand gigabytes.</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Longest side an image is read at first; larger photos are scaled down (then read at full size if that fails).</summary>
    private const int ReadSide = 2400;

    /// <summary>The QR text in the image; a <see cref="CliException"/> naming the file and the reason otherwise.</summary>
    public static string ReadQrText(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new CliException($"--image {file.FullName}: no such file");
        }

        if (file.Length > MaxBytes)
        {
            throw new CliException($"--image {file.Name}: {file.Length / (1024.0 * 1024):0.#} MiB is more than the {MaxBytes / (1024 * 1024)} MiB read at most; crop or scale the picture down");
        }

        var bytes = File.ReadAllBytes(file.FullName);
        var (width, height, luminance) = DecodeLuminance(bytes, file.Name);
        return ReadQr(luminance, width, height)
            ?? throw new CliException($"no QR code found in {file.Name} ({width} × {height}); photograph the code straight on, filling a good part of the picture");
    }

    /// <summary>Decodes a PNG or JPEG to luminance (transparency composited over white); throws a <see cref="CliException"/> naming the file otherwise.</summary>
    public static (int Width, int Height, byte[] Luminance) DecodeLuminance(byte[] bytes, string name)
    {
        var format = Format(bytes) ?? throw new CliException(
            $"--image {name}: not a PNG or JPEG image" + (IsHeif(bytes) ? " (HEIC/HEIF: set the camera to \"Most Compatible\" or export the photo as JPEG)" : ""));

        var info = ImageInfo.FromStream(new MemoryStream(bytes, writable: false))
            ?? throw new CliException($"--image {name}: the {format} header cannot be read (a damaged or truncated file?)");
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxPixels)
        {
            throw new CliException($"--image {name}: {info.Width} × {info.Height} pixels is more than the {MaxPixels / 1_000_000} megapixels read at most; scale the picture down");
        }

        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlueAlpha);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NotSupportedException or OverflowException)
        {
            throw new CliException($"--image {name}: the {format} image cannot be decoded ({ex.Message}; a damaged or truncated file?)");
        }

        var luminance = new byte[image.Width * image.Height];
        var rgba = image.Data;
        for (int i = 0, p = 0; i < luminance.Length; i++, p += 4)
        {
            var y = ((299 * rgba[p]) + (587 * rgba[p + 1]) + (114 * rgba[p + 2]) + 500) / 1000;
            var a = rgba[p + 3];
            luminance[i] = (byte)(((y * a) + (255 * (255 - a)) + 127) / 255);
        }

        return (image.Width, image.Height, luminance);
    }

    /// <summary>Reads the QR code; a large photo is first read scaled down (faster, and the code's modules are still many pixels wide).</summary>
    private static string? ReadQr(byte[] luminance, int width, int height)
    {
        var factor = (Math.Max(width, height) + ReadSide - 1) / ReadSide;
        if (factor > 1)
        {
            var (small, w, h) = Shrink(luminance, width, height, factor);
            if (QrImageReader.TryDecode(small, w, h) is { } text)
            {
                return text;
            }
        }

        return QrImageReader.TryDecode(luminance, width, height);
    }

    /// <summary>Averages <paramref name="factor"/> × <paramref name="factor"/> blocks.</summary>
    private static (byte[] Luminance, int Width, int Height) Shrink(byte[] luminance, int width, int height, int factor)
    {
        int w = width / factor, h = height / factor;
        var small = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var sum = 0;
                for (var dy = 0; dy < factor; dy++)
                {
                    var row = ((y * factor) + dy) * width;
                    for (var dx = 0; dx < factor; dx++)
                    {
                        sum += luminance[row + (x * factor) + dx];
                    }
                }

                small[(y * w) + x] = (byte)(sum / (factor * factor));
            }
        }

        return (small, w, h);
    }

    private static string? Format(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "PNG"
        : bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "JPEG"
        : null;

    private static bool IsHeif(ReadOnlySpan<byte> bytes) => bytes.Length >= 12 && bytes[4..8].SequenceEqual("ftyp"u8);
}
