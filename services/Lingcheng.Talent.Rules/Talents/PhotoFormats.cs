namespace Lingcheng.Talent.Rules.Talents;

/// <summary>Recognises photo formats by their magic bytes (the declared content type must agree).</summary>
public static class PhotoFormats
{
    public const int MaxBytes = 200 * 1024;
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";

    /// <summary>The content type the bytes actually are, or null for anything but JPEG and PNG.</summary>
    public static string? Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return Jpeg;
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        return null;
    }
}
