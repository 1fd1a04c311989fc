using System.Buffers.Text;
using System.Text;
using Lingcheng.Talent.ServiceDefaults.Errors;

namespace Lingcheng.Talent.Entitlements.Paging;

/// <summary>
/// Opaque page tokens (AIP-158): the keyset position of the last item returned, base64url-encoded
/// with a kind prefix so a token of one list is refused by another.
/// </summary>
public static class PageTokens
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>0 → 50, above 200 → 200 (AIP-158 coerces), negative → INVALID_ARGUMENT on page_size.</summary>
    public static int PageSize(int requested, FieldViolations violations)
    {
        violations.Check(requested >= 0, "page_size", "must not be negative");
        return requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }

    public static string Encode(string kind, string position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(kind + ":" + position));

    /// <summary>The position in a token of this kind; null for an empty token; a violation on page_token when it is not ours.</summary>
    public static string? Decode(string token, string kind, FieldViolations violations)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(kind + ":", StringComparison.Ordinal))
            {
                return text[(kind.Length + 1)..];
            }
        }
        catch (FormatException)
        {
            // falls through to the violation
        }

        violations.Add("page_token", "is not a token of this list; pass next_page_token of the previous response unchanged");
        return null;
    }
}
