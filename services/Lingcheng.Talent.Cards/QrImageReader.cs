using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// Reads a QR code from an image's luminance with ZXing.Net. Returns null when no QR code is found;
/// never throws on image content. Decoding image files (PNG, JPEG) is the caller's business: the CLI
/// does it (<c>lct agency verify --image</c>), the web desk hands camera frames; this library, which an
/// agency's system references through the SDK, carries no image decoder.
/// </summary>
public static class QrImageReader
{
    private static readonly Dictionary<DecodeHintType, object> Hints = new()
    {
        [DecodeHintType.TRY_HARDER] = true,
    };

    // A clean, upright code on a plain background (a rendered PNG, a screenshot): read it by its
    // extent instead of searching for finder patterns, which now and then locks onto a false one
    // (about 1 in 150 random tokens rendered at 8 px a module did not read without this).
    private static readonly Dictionary<DecodeHintType, object> PureHints = new()
    {
        [DecodeHintType.TRY_HARDER] = true,
        [DecodeHintType.PURE_BARCODE] = true,
    };

    /// <summary>Decodes a QR code from 8-bit luminance, row by row.</summary>
    public static string? TryDecode(byte[] luminance, int width, int height)
    {
        if (luminance is null || width <= 0 || height <= 0 || (long)width * height != luminance.Length)
        {
            return null;
        }

        LuminanceSource source = new RGBLuminanceSource(luminance, width, height, RGBLuminanceSource.BitmapFormat.Gray8);

        // The hybrid binarizer copes with uneven light (photos); the global histogram one with
        // small, sharp images; inverted sources read light-on-dark codes such as a terminal's.
        return Decode(new HybridBinarizer(source))
            ?? Decode(new GlobalHistogramBinarizer(source))
            ?? Decode(new HybridBinarizer(source.invert()))
            ?? Decode(new HybridBinarizer(source), PureHints)
            ?? Decode(new HybridBinarizer(source.invert()), PureHints);
    }

    private static string? Decode(Binarizer binarizer, Dictionary<DecodeHintType, object>? hints = null)
    {
        try
        {
            // QRCodeReader keeps per-decode state: one instance per attempt keeps this thread-safe.
            return new QRCodeReader().decode(new BinaryBitmap(binarizer), hints ?? Hints)?.Text;
        }
        catch (Exception ex) when (ex is ReaderException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }
}
