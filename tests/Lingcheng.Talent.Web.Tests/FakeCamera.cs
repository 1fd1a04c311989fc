using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Web.Tests;

/// <summary>
/// A video for Chromium's fake camera (<c>--use-file-for-fake-video-capture</c>): a card's QR code
/// drawn on a grey 640 × 480 frame, as a Y4M file (a one-line header, then per frame the Y plane
/// and the U and V planes at half size).
/// </summary>
public static class FakeCamera
{
    public const int Width = 640;
    public const int Height = 480;

    /// <summary>Writes <paramref name="frames"/> frames showing the PNG (a QR code) centred on grey; returns the file's path.</summary>
    public static string WriteY4m(byte[] png, int frames = 10)
    {
        var image = QrImages.Decode(png);
        if (image.Width > Width || image.Height > Height)
        {
            throw new ArgumentException($"The image ({image.Width} × {image.Height}) must fit in {Width} × {Height}.", nameof(png));
        }

        var luminance = image.ToLuminance();
        var y = new byte[Width * Height];
        Array.Fill(y, (byte)160);
        int left = (Width - image.Width) / 2, top = (Height - image.Height) / 2;
        for (var row = 0; row < image.Height; row++)
        {
            Array.Copy(luminance, row * image.Width, y, (top + row) * Width + left, image.Width);
        }

        var chroma = new byte[Width * Height / 4];
        Array.Fill(chroma, (byte)128);
        var path = Path.Combine(Path.GetTempPath(), $"lct-camera-{Guid.NewGuid():N}.y4m");
        using var file = File.Create(path);
        file.Write(System.Text.Encoding.ASCII.GetBytes($"YUV4MPEG2 W{Width} H{Height} F10:1 Ip A1:1 C420jpeg\n"));
        for (var i = 0; i < frames; i++)
        {
            file.Write("FRAME\n"u8);
            file.Write(y);
            file.Write(chroma);
            file.Write(chroma);
        }

        return path;
    }
}
