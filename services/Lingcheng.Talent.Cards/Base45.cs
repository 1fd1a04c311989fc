using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// Base45 (RFC 9285): two bytes become three characters of the QR alphanumeric alphabet, so a
/// QR code in alphanumeric mode carries binary data with about 3 % overhead over byte mode.
/// </summary>
/// <remarks>
/// Hand-written on purpose (issue 26 weighed the libraries): the one maintained package with Base45 on our
/// package source is a general multi-base codec, and swapping this for it would be worse for the token. We
/// need exactly RFC 9285 with one spelling per token — lower case, a character outside the alphabet, a
/// group worth more than 0xFFFF (or 0xFF for a final pair) and a dangling single character are all
/// refused — on spans without allocation on the verify path, and that behaviour is pinned by the RFC's
/// vectors and our conformance vectors. It is a page of arithmetic; a dependency would add supply-chain
/// surface to the SDK every agency embeds and buy nothing.
/// </remarks>
public static class Base45
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

    // Value of each ASCII character, -1 where it is not in the alphabet (lower case included:
    // RFC 9285 has no lower case, and accepting it would give one token two spellings).
    private static readonly sbyte[] Values = BuildValues();

    /// <summary>Number of characters <c>Encode</c> writes for <paramref name="byteCount"/> bytes.</summary>
    public static int GetEncodedLength(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        return checked((byteCount / 2 * 3) + (byteCount % 2 * 2));
    }

    /// <summary>
    /// Number of bytes a text of <paramref name="charCount"/> characters decodes to, or -1 when no
    /// valid Base45 text has that length (a remainder of one character).
    /// </summary>
    public static int GetDecodedLength(int charCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(charCount);
        return (charCount % 3) switch
        {
            0 => charCount / 3 * 2,
            2 => (charCount / 3 * 2) + 1,
            _ => -1,
        };
    }

    /// <summary>Encodes bytes as Base45.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var length = GetEncodedLength(data.Length);
        if (length == 0)
        {
            return string.Empty;
        }

        char[]? rented = null;
        var chars = length <= 1024 ? stackalloc char[length] : (rented = ArrayPool<char>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            Encode(data, chars);
            return new string(chars);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Encodes bytes as Base45 into <paramref name="destination"/>, which must hold <c>GetEncodedLength</c> characters.</summary>
    /// <returns>The number of characters written.</returns>
    public static int Encode(ReadOnlySpan<byte> data, Span<char> destination)
    {
        var length = GetEncodedLength(data.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination is too short.", nameof(destination));
        }

        var o = 0;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            var n = (data[i] << 8) | data[i + 1];
            var c = n % 45;
            n /= 45;
            destination[o++] = Alphabet[c];
            destination[o++] = Alphabet[n % 45];
            destination[o++] = Alphabet[n / 45];
        }

        if (i < data.Length)
        {
            int n = data[i];
            destination[o++] = Alphabet[n % 45];
            destination[o++] = Alphabet[n / 45];
        }

        return o;
    }

    /// <summary>Decodes Base45 text; false (and no exception) for any invalid text.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? data)
    {
        data = null;
        var length = GetDecodedLength(text.Length);
        if (length < 0)
        {
            return false;
        }

        var buffer = new byte[length];
        if (!TryDecode(text, buffer, out _))
        {
            return false;
        }

        data = buffer;
        return true;
    }

    /// <summary>
    /// Decodes Base45 text into <paramref name="destination"/> without allocating; false for an
    /// invalid text or a destination shorter than <c>GetDecodedLength</c>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        var length = GetDecodedLength(text.Length);
        if (length < 0 || destination.Length < length)
        {
            return false;
        }

        var values = Values;
        var o = 0;
        var i = 0;
        for (; i + 2 < text.Length; i += 3)
        {
            int c = text[i], d = text[i + 1], e = text[i + 2];
            if ((c | d | e) >= 128)
            {
                return false;
            }

            int vc = values[c], vd = values[d], ve = values[e];
            if ((vc | vd | ve) < 0)
            {
                return false;
            }

            var n = vc + (vd * 45) + (ve * 45 * 45);
            if (n > 0xFFFF)
            {
                return false;
            }

            destination[o++] = (byte)(n >> 8);
            destination[o++] = (byte)n;
        }

        if (i < text.Length)
        {
            int c = text[i], d = text[i + 1];
            if ((c | d) >= 128)
            {
                return false;
            }

            int vc = values[c], vd = values[d];
            if ((vc | vd) < 0)
            {
                return false;
            }

            var n = vc + (vd * 45);
            if (n > 0xFF)
            {
                return false;
            }

            destination[o++] = (byte)n;
        }

        bytesWritten = o;
        return true;
    }

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            values[Alphabet[i]] = (sbyte)i;
        }

        return values;
    }
}
