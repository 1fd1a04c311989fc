using System.Diagnostics.CodeAnalysis;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// Card numbers: <c>LC</c> + 2-digit year + 6-digit serial + one check character computed with
/// ISO 7064 MOD 11-2 over the 8 digits (0–9 or X), the same scheme as the PRC resident ID
/// (GB 11643), e.g. <c>LC260002310</c>.
/// </summary>
public static class CardNumber
{
    /// <summary>Length of a card number.</summary>
    public const int Length = 11;

    /// <summary>Builds the card number for a year (00–99) and a serial (0–999999).</summary>
    public static string Create(int year2Digits, int serial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(year2Digits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year2Digits, 99);
        ArgumentOutOfRangeException.ThrowIfNegative(serial);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serial, 999_999);

        Span<char> buffer = stackalloc char[Length];
        buffer[0] = 'L';
        buffer[1] = 'C';
        year2Digits.TryFormat(buffer.Slice(2, 2), out _, "D2", System.Globalization.CultureInfo.InvariantCulture);
        serial.TryFormat(buffer.Slice(4, 6), out _, "D6", System.Globalization.CultureInfo.InvariantCulture);
        buffer[10] = Iso7064.ComputeMod11_2CheckCharacter(buffer.Slice(2, 8));
        return new string(buffer);
    }

    /// <summary>True for a well-formed card number with a correct check character (upper-case X only).</summary>
    public static bool IsValid([NotNullWhen(true)] string? cardNumber) =>
        cardNumber is not null && IsValid(cardNumber.AsSpan());

    /// <summary>True for a well-formed card number with a correct check character (upper-case X only).</summary>
    public static bool IsValid(ReadOnlySpan<char> cardNumber)
    {
        if (cardNumber.Length != Length || cardNumber[0] != 'L' || cardNumber[1] != 'C')
        {
            return false;
        }

        var digits = cardNumber.Slice(2, 8);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return cardNumber[10] == Iso7064.ComputeMod11_2CheckCharacter(digits);
    }

    /// <summary>Splits a valid card number into its year and serial.</summary>
    public static bool TryParse(string? cardNumber, out int year2Digits, out int serial)
    {
        year2Digits = 0;
        serial = 0;
        if (!IsValid(cardNumber))
        {
            return false;
        }

        year2Digits = int.Parse(cardNumber.AsSpan(2, 2), provider: System.Globalization.CultureInfo.InvariantCulture);
        serial = int.Parse(cardNumber.AsSpan(4, 6), provider: System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }
}

/// <summary>
/// ISO/IEC 7064 MOD 11-2, the pure check character system of the PRC resident ID (GB 11643)
/// and of card numbers. Public so the registry can check resident ID numbers with the same code.
/// </summary>
public static class Iso7064
{
    /// <summary>
    /// The check character (0–9 or X) for a string of ASCII digits.
    /// </summary>
    /// <exception cref="ArgumentException">A character is not an ASCII digit, or the input is empty.</exception>
    public static char ComputeMod11_2CheckCharacter(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty)
        {
            throw new ArgumentException("At least one digit is required.", nameof(digits));
        }

        // Horner form of Σ dᵢ·2^(n−i+1) mod 11; the check value c makes the full sum ≡ 1 (mod 11).
        var p = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                throw new ArgumentException("Only ASCII digits are allowed.", nameof(digits));
            }

            p = (p + (c - '0')) * 2 % 11;
        }

        var check = (12 - p) % 11;
        return check == 10 ? 'X' : (char)('0' + check);
    }
}
