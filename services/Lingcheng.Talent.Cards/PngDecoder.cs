using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;

namespace Lingcheng.Talent.Cards;

/// <summary>A decoded image, 8-bit RGBA, rows top to bottom.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Rgba">Width × Height × 4 bytes.</param>
public sealed record PngImage(int Width, int Height, byte[] Rgba)
{
    /// <summary>
    /// Luminance (Rec. 601 weights), one byte a pixel, with transparency composited over white —
    /// a transparent QR background reads as paper, as on a screen.
    /// </summary>
    public byte[] ToLuminance()
    {
        var luminance = new byte[Width * Height];
        var rgba = Rgba;
        for (int i = 0, p = 0; i < luminance.Length; i++, p += 4)
        {
            var y = ((299 * rgba[p]) + (587 * rgba[p + 1]) + (114 * rgba[p + 2]) + 500) / 1000;
            var a = rgba[p + 3];
            luminance[i] = (byte)(((y * a) + (255 * (255 - a)) + 127) / 255);
        }

        return luminance;
    }
}

/// <summary>
/// A small managed PNG decoder (ISO/IEC 15948): every colour type and bit depth (1, 2, 4, 8, 16),
/// palettes and tRNS transparency, non-interlaced images. Enough to read a QR screenshot or
/// scan without a native imaging library on the server or the CLI.
/// </summary>
public static class PngDecoder
{
    /// <summary>Largest image decoded (pixels), so a small file cannot demand gigabytes.</summary>
    public const long MaxPixels = 25_000_000;

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Decodes a PNG; false for anything it cannot decode. Never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> png, [NotNullWhen(true)] out PngImage? image)
    {
        try
        {
            image = Decode(png);
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or OverflowException)
        {
            image = null;
            return false;
        }
    }

    /// <summary>Decodes a PNG.</summary>
    /// <exception cref="InvalidDataException">Not a valid PNG (bad signature, chunk, CRC, header or data).</exception>
    /// <exception cref="NotSupportedException">An interlaced image, an unknown critical chunk, or an image over <see cref="MaxPixels"/>.</exception>
    public static PngImage Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
        {
            throw new InvalidDataException("Not a PNG file.");
        }

        Header? header = null;
        byte[]? palette = null;
        byte[]? paletteAlpha = null;
        var transparentSample = new int[3];
        var hasTransparentSample = false;
        using var compressed = new MemoryStream();
        var position = Signature.Length;
        var ended = false;
        while (!ended)
        {
            if (png.Length - position < 12)
            {
                throw new InvalidDataException("Truncated PNG chunk.");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(png[position..]);
            if (length > int.MaxValue || png.Length - position - 12 < length)
            {
                throw new InvalidDataException("PNG chunk runs past the end of the file.");
            }

            var type = png.Slice(position + 4, 4);
            var data = png.Slice(position + 8, (int)length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png[(position + 8 + (int)length)..]);
            if (Crc32(png.Slice(position + 4, 4 + (int)length)) != crc)
            {
                throw new InvalidDataException("PNG chunk CRC mismatch.");
            }

            position += 12 + (int)length;
            if (header is null && !type.SequenceEqual("IHDR"u8))
            {
                throw new InvalidDataException("The first PNG chunk is not IHDR.");
            }

            if (type.SequenceEqual("IHDR"u8))
            {
                if (header is not null)
                {
                    throw new InvalidDataException("Two IHDR chunks.");
                }

                header = ReadHeader(data);
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                if (data.Length % 3 != 0 || data.Length == 0 || data.Length > 256 * 3)
                {
                    throw new InvalidDataException("Bad PLTE chunk.");
                }

                palette = data.ToArray();
            }
            else if (type.SequenceEqual("tRNS"u8))
            {
                switch (header!.ColorType)
                {
                    case ColorType.Palette:
                        paletteAlpha = data.ToArray();
                        break;
                    case ColorType.Gray when data.Length >= 2:
                        transparentSample[0] = BinaryPrimitives.ReadUInt16BigEndian(data);
                        hasTransparentSample = true;
                        break;
                    case ColorType.Rgb when data.Length >= 6:
                        transparentSample[0] = BinaryPrimitives.ReadUInt16BigEndian(data);
                        transparentSample[1] = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
                        transparentSample[2] = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
                        hasTransparentSample = true;
                        break;
                }
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                compressed.Write(data);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                ended = true;
            }
            else if ((type[0] & 0x20) == 0)
            {
                throw new NotSupportedException("Unknown critical PNG chunk.");
            }
        }

        var h = header!;
        if (h.ColorType == ColorType.Palette && palette is null)
        {
            throw new InvalidDataException("A palette image without PLTE.");
        }

        if (compressed.Length == 0)
        {
            throw new InvalidDataException("No IDAT data.");
        }

        var raw = Inflate(compressed, h);
        Unfilter(raw, h);
        return new PngImage(h.Width, h.Height, ToRgba(raw, h, palette, paletteAlpha, hasTransparentSample ? transparentSample : null));
    }

    private static Header ReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length != 13)
        {
            throw new InvalidDataException("Bad IHDR length.");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(data);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        var bitDepth = data[8];
        var colorType = (ColorType)data[9];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw new InvalidDataException("Bad image size.");
        }

        if ((long)width * height > MaxPixels)
        {
            throw new NotSupportedException($"Images over {MaxPixels} pixels are not decoded.");
        }

        var channels = colorType switch
        {
            ColorType.Gray when bitDepth is 1 or 2 or 4 or 8 or 16 => 1,
            ColorType.Rgb when bitDepth is 8 or 16 => 3,
            ColorType.Palette when bitDepth is 1 or 2 or 4 or 8 => 1,
            ColorType.GrayAlpha when bitDepth is 8 or 16 => 2,
            ColorType.Rgba when bitDepth is 8 or 16 => 4,
            _ => throw new InvalidDataException("Bad colour type and bit depth."),
        };

        if (data[10] != 0 || data[11] != 0)
        {
            throw new InvalidDataException("Unknown compression or filter method.");
        }

        if (data[12] != 0)
        {
            throw new NotSupportedException("Interlaced PNG images are not supported.");
        }

        return new Header((int)width, (int)height, bitDepth, colorType, channels);
    }

    private static byte[] Inflate(MemoryStream compressed, Header header)
    {
        var size = (long)header.Height * (header.RowBytes + 1);
        if (size > int.MaxValue)
        {
            throw new NotSupportedException("The image is too large.");
        }

        var raw = new byte[size];
        compressed.Position = 0;
        using var zlib = new ZLibStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            zlib.ReadExactly(raw);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The image data is shorter than the header says.", ex);
        }

        return raw;
    }

    private static void Unfilter(byte[] raw, Header header)
    {
        var stride = header.RowBytes + 1;
        var bpp = Math.Max(1, header.Channels * header.BitDepth / 8);
        var previous = new byte[header.RowBytes];
        for (var y = 0; y < header.Height; y++)
        {
            var filter = raw[y * stride];
            var row = raw.AsSpan((y * stride) + 1, header.RowBytes);
            var up = y == 0 ? previous : raw.AsSpan(((y - 1) * stride) + 1, header.RowBytes);
            switch (filter)
            {
                case 0:
                    break;
                case 1:
                    for (var i = bpp; i < row.Length; i++)
                    {
                        row[i] += row[i - bpp];
                    }

                    break;
                case 2:
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] += up[i];
                    }

                    break;
                case 3:
                    for (var i = 0; i < row.Length; i++)
                    {
                        var left = i >= bpp ? row[i - bpp] : 0;
                        row[i] += (byte)((left + up[i]) >> 1);
                    }

                    break;
                case 4:
                    for (var i = 0; i < row.Length; i++)
                    {
                        var left = i >= bpp ? row[i - bpp] : 0;
                        var upLeft = i >= bpp ? up[i - bpp] : 0;
                        row[i] += Paeth(left, up[i], upLeft);
                    }

                    break;
                default:
                    throw new InvalidDataException("Unknown PNG row filter.");
            }
        }
    }

    private static byte Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }

    private static byte[] ToRgba(byte[] raw, Header header, byte[]? palette, byte[]? paletteAlpha, int[]? transparent)
    {
        var rgba = new byte[(long)header.Width * header.Height * 4];
        var stride = header.RowBytes + 1;
        var depth = header.BitDepth;
        var maxSample = (1 << depth) - 1;
        var paletteCount = palette is null ? 0 : palette.Length / 3;
        var o = 0;
        for (var y = 0; y < header.Height; y++)
        {
            var row = raw.AsSpan((y * stride) + 1, header.RowBytes);
            for (var x = 0; x < header.Width; x++)
            {
                byte r, g, b, a = 255;
                switch (header.ColorType)
                {
                    case ColorType.Gray:
                        {
                            var sample = Sample(row, x, depth);
                            g = depth == 16 ? (byte)(sample >> 8) : (byte)(sample * 255 / maxSample);
                            r = b = g;
                            if (transparent is not null && sample == transparent[0])
                            {
                                a = 0;
                            }

                            break;
                        }

                    case ColorType.Palette:
                        {
                            var index = Sample(row, x, depth);
                            if (index >= paletteCount)
                            {
                                throw new InvalidDataException("Palette index out of range.");
                            }

                            r = palette![index * 3];
                            g = palette[(index * 3) + 1];
                            b = palette[(index * 3) + 2];
                            if (paletteAlpha is not null && index < paletteAlpha.Length)
                            {
                                a = paletteAlpha[index];
                            }

                            break;
                        }

                    case ColorType.Rgb:
                        {
                            int sr = Sample(row, x * 3, depth), sg = Sample(row, (x * 3) + 1, depth), sb = Sample(row, (x * 3) + 2, depth);
                            r = High(sr, depth);
                            g = High(sg, depth);
                            b = High(sb, depth);
                            if (transparent is not null && sr == transparent[0] && sg == transparent[1] && sb == transparent[2])
                            {
                                a = 0;
                            }

                            break;
                        }

                    case ColorType.GrayAlpha:
                        g = High(Sample(row, x * 2, depth), depth);
                        r = b = g;
                        a = High(Sample(row, (x * 2) + 1, depth), depth);
                        break;
                    default:
                        r = High(Sample(row, x * 4, depth), depth);
                        g = High(Sample(row, (x * 4) + 1, depth), depth);
                        b = High(Sample(row, (x * 4) + 2, depth), depth);
                        a = High(Sample(row, (x * 4) + 3, depth), depth);
                        break;
                }

                rgba[o++] = r;
                rgba[o++] = g;
                rgba[o++] = b;
                rgba[o++] = a;
            }
        }

        return rgba;
    }

    // The sample at index i of a row (samples, not pixels: an RGB pixel has three).
    private static int Sample(ReadOnlySpan<byte> row, int i, int depth) => depth switch
    {
        8 => row[i],
        16 => (row[i * 2] << 8) | row[(i * 2) + 1],
        _ => (row[i * depth / 8] >> (8 - depth - (i * depth % 8))) & ((1 << depth) - 1),
    };

    private static byte High(int sample, int depth) => depth == 16 ? (byte)(sample >> 8) : (byte)sample;

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    private enum ColorType : byte
    {
        Gray = 0,
        Rgb = 2,
        Palette = 3,
        GrayAlpha = 4,
        Rgba = 6,
    }

    private sealed record Header(int Width, int Height, int BitDepth, ColorType ColorType, int Channels)
    {
        public int RowBytes { get; } = checked((int)((((long)Width * Channels * BitDepth) + 7) / 8));
    }
}
