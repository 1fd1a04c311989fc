using System.Buffers.Binary;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Testing;
using StbImageWriteSharp;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary><c>--image</c> (issue 26, item 5): PNG and a phone's JPEG through StbImageSharp, with size limits.</summary>
public sealed class QrImageFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lct-qr-image-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// A JPEG like a phone's photo of a card: the QR (from its PNG) scaled up on a grey, unevenly lit
    /// 1600 × 1200 frame, off centre, JPEG quality 75.
    /// </summary>
    public static byte[] PhotoJpeg(string qrText, int width = 1600, int height = 1200)
    {
        var qr = QrImages.Decode(QrCodes.RenderPng(qrText, pixelsPerModule: 3));
        var luminance = qr.ToLuminance();
        const int scale = 3;
        int left = width / 3, top = height / 5;
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var value = 150 + (60 * x / width); // light falling off across the frame
                int qx = (x - left) / scale, qy = (y - top) / scale;
                if (x >= left && y >= top && qx < qr.Width && qy < qr.Height)
                {
                    value = luminance[(qy * qr.Width) + qx] < 128 ? 30 : 235;
                }

                var p = ((y * width) + x) * 3;
                rgb[p] = (byte)value;
                rgb[p + 1] = (byte)Math.Min(255, value + 5);
                rgb[p + 2] = (byte)Math.Max(0, value - 10);
            }
        }

        using var jpeg = new MemoryStream();
        new ImageWriter().WriteJpg(rgb, width, height, ColorComponents.RedGreenBlue, jpeg, 75);
        return jpeg.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void The_qr_in_a_phone_jpeg_reads_back()
    {
        const string text = "LCT1:SYNTHETIC-JPEG-TEST-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var jpeg = PhotoJpeg(text);
        Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);

        Assert.Equal(text, QrImageFile.ReadQrText(new FileInfo(Write("photo.jpg", jpeg))));
    }

    [Fact]
    public void The_qr_in_a_large_jpeg_reads_back_through_the_scaled_down_pass()
    {
        const string text = "LCT1:SYNTHETIC-LARGE-JPEG";
        Assert.Equal(text, QrImageFile.ReadQrText(new FileInfo(Write("large.jpg", PhotoJpeg(text, 4000, 3000)))));
    }

    [Fact]
    public void The_qr_in_a_png_still_reads_back()
    {
        const string text = "LCT1:SYNTHETIC-PNG";
        Assert.Equal(text, QrImageFile.ReadQrText(new FileInfo(Write("card.png", QrCodes.RenderPng(text)))));
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_before_it_is_decoded()
    {
        // A PNG whose header claims 10000 × 10000 pixels (100 megapixels) in a few bytes.
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 10_000);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 10_000);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, .. ihdr, 0, 0, 0, 0, 0, 0, 0, 0, .. "IEND"u8, 0, 0, 0, 0];

        var ex = Assert.Throws<CliException>(() => QrImageFile.ReadQrText(new FileInfo(Write("huge.png", png))));

        Assert.Contains("10000 × 10000", ex.Message);
        Assert.Contains("megapixels", ex.Message);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        var path = Path.Combine(_folder, "big.jpg");
        using (var file = File.Create(path))
        {
            file.SetLength(QrImageFile.MaxBytes + 1);
        }

        var ex = Assert.Throws<CliException>(() => QrImageFile.ReadQrText(new FileInfo(path)));
        Assert.Contains("MiB read at most", ex.Message);
    }

    [Fact]
    public void Other_formats_and_damaged_files_are_refused_with_a_reason()
    {
        var heic = Assert.Throws<CliException>(() => QrImageFile.ReadQrText(new FileInfo(Write("photo.heic", [0, 0, 0, 24, .. "ftypheic"u8, 0, 0, 0, 0]))));
        Assert.Contains("HEIC", heic.Message);

        var text = Assert.Throws<CliException>(() => QrImageFile.ReadQrText(new FileInfo(Write("card.txt", "LCT1:not an image"u8.ToArray()))));
        Assert.Contains("not a PNG or JPEG", text.Message);

        var truncated = PhotoJpeg("LCT1:TRUNCATED")[..200];
        var damaged = Assert.Throws<CliException>(() => QrImageFile.ReadQrText(new FileInfo(Write("cut.jpg", truncated))));
        Assert.Contains("cut.jpg", damaged.Message);
    }
}
