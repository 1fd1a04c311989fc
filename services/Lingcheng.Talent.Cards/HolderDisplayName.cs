using System.Globalization;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// The masked holder name carried in claim -70003, and how it is shortened to keep the QR within
/// version 11 at level Q.
/// </summary>
/// <remarks>
/// Every other claim has a fixed size, so a token without nbf leaves room for about 8 UTF-8
/// bytes of name: <c>张*明</c> (7 bytes) fits, <c>欧阳*明</c> (10) does not. A longer name is
/// shortened to its first and last character around one asterisk (<c>欧*明</c>), then to the
/// first character and an asterisk, then to a lone asterisk. The verifier shows the photo from
/// the registry online; the name in the QR is only a hint for offline checks.
/// </remarks>
public static class HolderDisplayName
{
    /// <summary>Longest accepted display name, in UTF-16 characters.</summary>
    public const int MaxLength = 64;

    /// <summary>Throws when a name is empty, too long or contains control characters.</summary>
    public static void Validate(string holderDisplayName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderDisplayName);
        if (holderDisplayName.Length > MaxLength)
        {
            throw new ArgumentException($"The display name is longer than {MaxLength} characters.", nameof(holderDisplayName));
        }

        foreach (var c in holderDisplayName)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("The display name contains a control character.", nameof(holderDisplayName));
            }
        }
    }

    /// <summary>
    /// The forms a name is tried in, longest first: as given, first + "*" + last character, first
    /// + "*", "*". Characters are text elements, so a surrogate pair or a combining mark is never
    /// split.
    /// </summary>
    public static IEnumerable<string> ShorterForms(string holderDisplayName)
    {
        yield return holderDisplayName;
        var elements = StringInfo.ParseCombiningCharacters(holderDisplayName);
        if (elements.Length == 0)
        {
            yield break;
        }

        var first = StringInfo.GetNextTextElement(holderDisplayName, 0);
        var last = StringInfo.GetNextTextElement(holderDisplayName, elements[^1]);
        if (elements.Length > 3)
        {
            yield return first + "*" + last;
        }

        if (elements.Length > 2)
        {
            yield return first + "*";
        }

        yield return "*";
    }
}
