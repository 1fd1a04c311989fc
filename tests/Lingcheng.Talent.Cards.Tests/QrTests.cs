using System.Xml.Linq;
using Lingcheng.Talent.Testing;

namespace Lingcheng.Talent.Cards.Tests;

public sealed class QrTests
{
    [Fact]
    public void A_token_png_at_3_pixels_per_module_reads_back_with_zxing()
    {
        using var world = new TokenWorld();
        var text = world.Static();

        var png = QrCodes.RenderPng(text, pixelsPerModule: 3);

        Assert.Equal(text, QrImages.Read(png));
        Assert.Equal(TokenOutcome.Valid, world.Verify(QrImages.Read(png)).Outcome);
    }

    [Fact]
    public void A_token_png_still_reads_after_a_3x3_box_blur()
    {
        using var world = new TokenWorld();
        var text = world.Static();
        var image = QrImages.Decode(QrCodes.RenderPng(text, 3));

        var blurred = BoxBlur(image.ToLuminance(), image.Width, image.Height);

        Assert.Equal(text, QrImageReader.TryDecode(blurred, image.Width, image.Height));
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(-5.0)]
    public void A_token_png_still_reads_after_a_small_rotation(double degrees)
    {
        using var world = new TokenWorld();
        var text = world.Dynamic();
        var image = QrImages.Decode(QrCodes.RenderPng(text, 3));

        var (rotated, width, height) = Rotate(image.ToLuminance(), image.Width, image.Height, degrees);

        Assert.Equal(text, QrImageReader.TryDecode(rotated, width, height));
    }

    [Fact]
    public void The_terminal_rendering_reads_back_with_zxing()
    {
        using var world = new TokenWorld();
        var text = world.Static();

        foreach (var darkBackground in new[] { true, false })
        {
            var lines = QrCodes.RenderTerminal(text, darkBackground).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var modules = lines[0].Length;
            Assert.All(lines, line => Assert.Equal(modules, line.Length));
            Assert.Equal((modules + 1) / 2, lines.Length);

            // Draw the cells as a terminal would: ink light on a dark screen, dark on a light one.
            const int scale = 4;
            var luminance = new byte[modules * scale * lines.Length * 2 * scale];
            var width = modules * scale;
            for (var row = 0; row < lines.Length; row++)
            {
                for (var x = 0; x < modules; x++)
                {
                    var c = lines[row][x];
                    var (top, bottom) = c switch { '█' => (true, true), '▀' => (true, false), '▄' => (false, true), _ => (false, false) };
                    Paint(luminance, width, x, row * 2, scale, top == darkBackground);
                    Paint(luminance, width, x, (row * 2) + 1, scale, bottom == darkBackground);
                }
            }

            Assert.Equal(text, QrImageReader.TryDecode(luminance, width, luminance.Length / width));
        }
    }

    [Fact]
    public void The_svg_is_well_formed_and_scales_by_its_view_box()
    {
        var svg = XDocument.Parse(QrCodes.RenderSvg("LCT1:HELLO"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.NotNull(svg.Root.Attribute("viewBox"));
    }

    [Fact]
    public void Token_texts_use_alphanumeric_mode_and_level_q()
    {
        // Alphanumeric mode at level Q holds 259 characters in version 11; 260 need version 12.
        // (Letters only: the encoder packs long runs of digits in numeric segments, smaller still.)
        Assert.Equal(11, QrCodes.GetVersion(CardToken.Prefix + new string('A', 254)));
        Assert.Equal(12, QrCodes.GetVersion(CardToken.Prefix + new string('A', 255)));
    }

    [Fact]
    public void Images_without_a_qr_code_read_as_nothing()
    {
        Assert.Null(QrImages.Read([1, 2, 3]));
        Assert.Null(QrImageReader.TryDecode(new byte[100 * 100], 100, 100));
        Assert.Null(QrImageReader.TryDecode(new byte[10], 100, 100));
        var blank = PngTestEncoder.Encode(40, 40, 0, 1, Enumerable.Range(0, 40).Select(_ => new int[40]).ToArray());
        Assert.Null(QrImages.Read(blank));
    }

    private static void Paint(byte[] luminance, int width, int moduleX, int moduleY, int scale, bool light)
    {
        if ((moduleY * scale) + scale > luminance.Length / width)
        {
            return;
        }

        for (var dy = 0; dy < scale; dy++)
        {
            for (var dx = 0; dx < scale; dx++)
            {
                luminance[(((moduleY * scale) + dy) * width) + (moduleX * scale) + dx] = light ? (byte)255 : (byte)0;
            }
        }
    }

    private static byte[] BoxBlur(byte[] source, int width, int height)
    {
        var output = new byte[source.Length];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                int sum = 0, n = 0;
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int sx = x + dx, sy = y + dy;
                        if (sx >= 0 && sy >= 0 && sx < width && sy < height)
                        {
                            sum += source[(sy * width) + sx];
                            n++;
                        }
                    }
                }

                output[(y * width) + x] = (byte)(sum / n);
            }
        }

        return output;
    }

    private static (byte[] Luminance, int Width, int Height) Rotate(byte[] source, int width, int height, double degrees)
    {
        // Bilinear rotation about the centre onto a larger white canvas.
        var angle = degrees * Math.PI / 180;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var outWidth = (int)Math.Ceiling((Math.Abs(width * cos) + Math.Abs(height * sin)));
        var outHeight = (int)Math.Ceiling((Math.Abs(width * sin) + Math.Abs(height * cos)));
        var output = new byte[outWidth * outHeight];
        double cx = width / 2.0, cy = height / 2.0, ox = outWidth / 2.0, oy = outHeight / 2.0;
        for (var y = 0; y < outHeight; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                double dx = x - ox, dy = y - oy;
                var sx = (cos * dx) + (sin * dy) + cx;
                var sy = (-sin * dx) + (cos * dy) + cy;
                output[(y * outWidth) + x] = Sample(source, width, height, sx, sy);
            }
        }

        return (output, outWidth, outHeight);
    }

    private static byte Sample(byte[] source, int width, int height, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        double Pixel(int px, int py) => px < 0 || py < 0 || px >= width || py >= height ? 255 : source[(py * width) + px];
        var top = (Pixel(x0, y0) * (1 - fx)) + (Pixel(x0 + 1, y0) * fx);
        var bottom = (Pixel(x0, y0 + 1) * (1 - fx)) + (Pixel(x0 + 1, y0 + 1) * fx);
        return (byte)Math.Round((top * (1 - fy)) + (bottom * fy));
    }
}
