using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Lingcheng.Talent.Cards.Tests;

/// <summary>
/// Writes PNG files of any colour type and bit depth, cycling through all five row filters,
/// so the decoder is tested on every combination.
/// </summary>
internal static class PngTestEncoder
{
    public static byte[] Encode(
        int width,
        int height,
        byte colorType,
        byte bitDepth,
        int[][] rowSamples,
        byte[]? palette = null,
        byte[]? transparency = null,
        byte interlace = 0,
        int idatPieces = 1)
    {
        var channels = colorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };
        var rowBytes = ((width * channels * bitDepth) + 7) / 8;
        var bpp = Math.Max(1, channels * bitDepth / 8);
        var raw = new MemoryStream();
        var previous = new byte[rowBytes];
        for (var y = 0; y < height; y++)
        {
            var row = Pack(rowSamples[y], bitDepth, rowBytes);
            var filter = (byte)(y % 5);
            raw.WriteByte(filter);
            raw.Write(Filter(row, previous, filter, bpp));
            previous = row;
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(zlib);
        }

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = bitDepth;
        header[9] = colorType;
        header[12] = interlace;
        Chunk(png, "IHDR", header);
        Chunk(png, "tEXt", Encoding.ASCII.GetBytes("Comment\0test image"));
        if (palette is not null)
        {
            Chunk(png, "PLTE", palette);
        }

        if (transparency is not null)
        {
            Chunk(png, "tRNS", transparency);
        }

        var data = compressed.ToArray();
        var piece = (data.Length + idatPieces - 1) / idatPieces;
        for (var offset = 0; offset < data.Length; offset += piece)
        {
            Chunk(png, "IDAT", data.AsSpan(offset, Math.Min(piece, data.Length - offset)));
        }

        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    public static void Chunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        png.Write(length);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data.ToArray()).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc(typeAndData));
        png.Write(length);
    }

    private static byte[] Pack(int[] samples, int depth, int rowBytes)
    {
        var row = new byte[rowBytes];
        for (var i = 0; i < samples.Length; i++)
        {
            switch (depth)
            {
                case 16:
                    row[i * 2] = (byte)(samples[i] >> 8);
                    row[(i * 2) + 1] = (byte)samples[i];
                    break;
                case 8:
                    row[i] = (byte)samples[i];
                    break;
                default:
                    var bit = i * depth;
                    row[bit / 8] |= (byte)(samples[i] << (8 - depth - (bit % 8)));
                    break;
            }
        }

        return row;
    }

    private static byte[] Filter(byte[] row, byte[] up, byte filter, int bpp)
    {
        var output = new byte[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
            var predictor = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - predictor);
        }

        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        // Bitwise CRC-32, independent of the decoder's table.
        var crc = 0xFFFFFFFFu;
        foreach (var value in data)
        {
            crc ^= value;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }
}
