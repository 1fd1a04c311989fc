namespace Lingcheng.Talent.Cards.Tests;

public sealed class PngDecoderTests
{
    public static TheoryData<byte, byte> Formats() => new()
    {
        { 0, 1 }, { 0, 2 }, { 0, 4 }, { 0, 8 }, { 0, 16 },
        { 2, 8 }, { 2, 16 },
        { 3, 1 }, { 3, 2 }, { 3, 4 }, { 3, 8 },
        { 4, 8 }, { 4, 16 },
        { 6, 8 }, { 6, 16 },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_colour_type_and_bit_depth_decodes_to_the_expected_pixels(byte colorType, byte bitDepth)
    {
        // Odd sizes put partial bytes at row ends; 11 rows use every filter twice.
        const int width = 13, height = 11;
        var random = new Random((colorType * 100) + bitDepth);
        var channels = colorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };
        var max = (1 << bitDepth) - 1;
        var paletteSize = colorType == 3 ? Math.Min(1 << bitDepth, 200) : 0;
        var palette = colorType == 3 ? RandomBytes(random, paletteSize * 3) : null;
        var paletteAlpha = colorType == 3 ? RandomBytes(random, paletteSize / 2) : null;

        var rows = new int[height][];
        var expected = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            rows[y] = new int[width * channels];
            for (var x = 0; x < width; x++)
            {
                var p = ((y * width) + x) * 4;
                var samples = rows[y].AsSpan(x * channels, channels);
                for (var c = 0; c < channels; c++)
                {
                    samples[c] = colorType == 3 ? random.Next(paletteSize) : random.Next(max + 1);
                }

                byte Scale(int s) => bitDepth == 16 ? (byte)(s >> 8) : (byte)(s * 255 / max);
                switch (colorType)
                {
                    case 0:
                        expected[p] = expected[p + 1] = expected[p + 2] = Scale(samples[0]);
                        expected[p + 3] = 255;
                        break;
                    case 2:
                        expected[p] = Scale(samples[0]);
                        expected[p + 1] = Scale(samples[1]);
                        expected[p + 2] = Scale(samples[2]);
                        expected[p + 3] = 255;
                        break;
                    case 3:
                        var i = samples[0];
                        expected[p] = palette![i * 3];
                        expected[p + 1] = palette[(i * 3) + 1];
                        expected[p + 2] = palette[(i * 3) + 2];
                        expected[p + 3] = i < paletteAlpha!.Length ? paletteAlpha[i] : (byte)255;
                        break;
                    case 4:
                        expected[p] = expected[p + 1] = expected[p + 2] = Scale(samples[0]);
                        expected[p + 3] = Scale(samples[1]);
                        break;
                    default:
                        expected[p] = Scale(samples[0]);
                        expected[p + 1] = Scale(samples[1]);
                        expected[p + 2] = Scale(samples[2]);
                        expected[p + 3] = Scale(samples[3]);
                        break;
                }
            }
        }

        var png = PngTestEncoder.Encode(width, height, colorType, bitDepth, rows, palette, paletteAlpha, idatPieces: 3);

        var image = PngDecoder.Decode(png);

        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        Assert.Equal(expected, image.Rgba);
    }

    [Fact]
    public void A_colour_key_in_trns_makes_matching_grey_and_rgb_pixels_transparent()
    {
        var grey = PngTestEncoder.Encode(2, 1, 0, 16, [[0x1234, 0x1235]], transparency: [0x12, 0x34]);
        Assert.Equal(new byte[] { 0x12, 0x12, 0x12, 0, 0x12, 0x12, 0x12, 255 }, PngDecoder.Decode(grey).Rgba);

        var rgb = PngTestEncoder.Encode(2, 1, 2, 8, [[1, 2, 3, 1, 2, 4]], transparency: [0, 1, 0, 2, 0, 3]);
        Assert.Equal(new byte[] { 1, 2, 3, 0, 1, 2, 4, 255 }, PngDecoder.Decode(rgb).Rgba);
    }

    [Fact]
    public void Transparency_reads_as_white_paper_in_luminance()
    {
        var image = new PngImage(3, 1, [0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
        Assert.Equal(new byte[] { 0, 255, 255 }, image.ToLuminance());
    }

    [Fact]
    public void The_png_that_qrcoder_writes_decodes_to_its_module_pattern()
    {
        var png = QrCodes.RenderPng("LCT1:HELLO", pixelsPerModule: 2);
        var image = PngDecoder.Decode(png);
        var luminance = image.ToLuminance();

        // Version 1 is 21 modules plus a 4-module quiet zone on each side.
        Assert.Equal(29 * 2, image.Width);
        Assert.Equal(29 * 2, image.Height);
        Assert.Equal(255, luminance[0]);
        var finderCorner = (4 * 2 * image.Width) + (4 * 2);
        Assert.Equal(0, luminance[finderCorner]);
    }

    [Fact]
    public void Broken_files_are_refused_without_exceptions()
    {
        var good = PngTestEncoder.Encode(4, 4, 0, 8, Enumerable.Range(0, 4).Select(_ => new int[4]).ToArray());
        Assert.True(PngDecoder.TryDecode(good, out _));

        var badCrc = (byte[])good.Clone();
        badCrc[30] ^= 1;
        var truncated = good[..^20];
        var notPng = "GIF89a"u8.ToArray();
        var interlaced = PngTestEncoder.Encode(4, 4, 0, 8, Enumerable.Range(0, 4).Select(_ => new int[4]).ToArray(), interlace: 1);
        var badDepth = PngTestEncoder.Encode(4, 4, 2, 4, Enumerable.Range(0, 4).Select(_ => new int[12]).ToArray());
        var paletteOverflow = PngTestEncoder.Encode(2, 1, 3, 8, [[0, 5]], palette: [0, 0, 0, 255, 255, 255]);
        var paletteMissing = PngTestEncoder.Encode(2, 1, 3, 8, [[0, 1]]);

        foreach (var bad in new[] { badCrc, truncated, notPng, interlaced, badDepth, paletteOverflow, paletteMissing, [], good[..8] })
        {
            Assert.False(PngDecoder.TryDecode(bad, out var image));
            Assert.Null(image);
        }
    }

    [Fact]
    public void A_header_claiming_a_gigantic_image_is_refused_before_allocating()
    {
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        PngTestEncoder.Chunk(png, "IHDR", [0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 8, 6, 0, 0, 0]);
        Assert.Throws<NotSupportedException>(() => PngDecoder.Decode(png.ToArray()));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
