using System.Text;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>One hostile QR text and the outcomes that are right for it.</summary>
public sealed record HostileText(string Category, int Index, string Text, IReadOnlySet<VerificationOutcome> Expected)
{
    /// <summary>A short, log-safe description for failure messages (never the whole text).</summary>
    public string Describe() => $"{Category}#{Index} (length {Text.Length}, starts '{Escape(Text[..Math.Min(24, Text.Length)])}')";

    private static string Escape(string s) => string.Concat(s.Select(c => c is >= ' ' and < '\x7f' ? c.ToString() : $"\\u{(int)c:x4}"));
}

/// <summary>
/// The hostile QR texts of the fuzz, from a fixed seed: random text, random Base45 behind the
/// prefix, random Unicode, every few prefixes of a genuine token (truncated), single-character
/// mutations of it, texts over the 4096-character limit, and injection-like texts.
/// </summary>
public static class HostileQrTexts
{
    public const string Base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

    /// <summary>The verification service's limit on a QR text (longer is MALFORMED without decoding).</summary>
    public const int MaxQrTextLength = 4096;

    private static readonly IReadOnlySet<VerificationOutcome> Malformed = new HashSet<VerificationOutcome> { VerificationOutcome.Malformed };

    /// <summary>What a damaged genuine token may turn into: anything but VALID, never an error.</summary>
    private static readonly IReadOnlySet<VerificationOutcome> Damaged = new HashSet<VerificationOutcome>
    {
        VerificationOutcome.Malformed, VerificationOutcome.SignatureInvalid, VerificationOutcome.UnknownKey, VerificationOutcome.UnsupportedVersion,
    };

    /// <summary>Injection-like texts: SQL, script, control characters, NUL, format strings, log forging, path traversal.</summary>
    public static readonly IReadOnlyList<string> Injections =
    [
        "' OR '1'='1",
        "'; DROP TABLE AuditRecords; --",
        "LCT1:'; DELETE FROM CardStates WHERE 1=1; --",
        "1; UPDATE UsageCounters SET Used = 0 --",
        "\" OR \"\"=\"",
        "<script>alert(document.cookie)</script>",
        "LCT1:<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "{{7*7}}${7*7}<%= 7*7 %>",
        "%s%s%s%n%x{0}{1}",
        "../../../../etc/passwd",
        "LCT1:\0\0\0\0",
        "\0",
        "LCT1\0:6BFOXN*TS0BI$ZD4N9:9S6RCVN5",
        "\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\v\f\r\u000e\u001b[31mRED\u001b[0m",
        "ok\r\n21:12:41.000 info: Lingcheng.Talent.Verification[0] Verified VALID card LC260000019",
        "\u202Eevil\u202C LCT1:",
        "LCT1:\uFEFF\u200B\u200D",
        "ＬＣＴ１：６ＢＦＯＸＮ", // full-width look-alike of the prefix
        "LCT1:" + new string('%', 300),
        "{\"qrText\":\"LCT1:\"}",
        new string('\u0000', 1000),
        string.Concat(Enumerable.Repeat("😀", 3000)), // 6000 UTF-16 units: over the limit
        string.Concat(Enumerable.Repeat("陵城人才绿卡", 600)), // 3600 characters, 10 800 UTF-8 bytes
        "Z̸̨̛̩͎̤̥̈́̆͆a̵̧̛̙l̷g̸o̵" + string.Concat(Enumerable.Repeat("\u0301", 2000)),
    ];

    public static List<HostileText> Generate(int seed, string genuineQr)
    {
        var rng = new Random(seed);
        var all = new List<HostileText>();

        void Add(string category, string text, IReadOnlySet<VerificationOutcome> expected) =>
            all.Add(new HostileText(category, all.Count(h => h.Category == category), text, expected));

        for (var i = 0; i < 120; i++)
        {
            Add("random-ascii", RandomString(rng, rng.Next(0, 400), () => (char)rng.Next(0x20, 0x7f)), Malformed);
        }

        for (var i = 0; i < 120; i++)
        {
            Add("random-base45", CardToken.Prefix + RandomString(rng, rng.Next(0, 400), () => Base45Alphabet[rng.Next(Base45Alphabet.Length)]), Malformed);
        }

        for (var i = 0; i < 60; i++)
        {
            // Any UTF-16 unit, lone surrogates and controls included.
            Add("random-unicode", RandomString(rng, rng.Next(1, 300), () => (char)rng.Next(0, 0x10000)), Malformed);
        }

        for (var length = 0; length < genuineQr.Length; length += 1 + rng.Next(6))
        {
            Add("truncated", genuineQr[..length], Malformed);
        }

        for (var i = 0; i < 120; i++)
        {
            var chars = genuineQr.ToCharArray();
            var at = rng.Next(CardToken.Prefix.Length, chars.Length);
            char replacement;
            do
            {
                replacement = Base45Alphabet[rng.Next(Base45Alphabet.Length)];
            }
            while (replacement == chars[at]);

            chars[at] = replacement;
            Add("mutated", new string(chars), Damaged);
        }

        Add("over-limit", genuineQr + new string('A', MaxQrTextLength), Malformed);
        Add("over-limit", new string('A', MaxQrTextLength + 1), Malformed);
        Add("over-limit", CardToken.Prefix + RandomString(rng, 200_000, () => Base45Alphabet[rng.Next(Base45Alphabet.Length)]), Malformed);
        Add("over-limit", genuineQr + "\0" + genuineQr, Malformed);

        foreach (var text in Injections)
        {
            Add("injection", text, Malformed);
        }

        return all;
    }

    /// <summary>The texts that JSON can carry as they are (no lone surrogates), for the HTTP/JSON fuzz.</summary>
    public static bool IsJsonSafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string RandomString(Random rng, int length, Func<char> next)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(next());
        }

        return builder.ToString();
    }
}
