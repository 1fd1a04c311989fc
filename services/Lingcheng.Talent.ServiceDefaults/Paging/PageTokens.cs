using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Lingcheng.Talent.ServiceDefaults.Errors;

namespace Lingcheng.Talent.ServiceDefaults.Paging;

/// <summary>
/// Paging as AIP-158 asks, the same in every service. <c>page_size</c>: 0 → 50, above 200 → 200 (coerced,
/// not refused), negative → INVALID_ARGUMENT on page_size. Page tokens are opaque: base64url of
/// <c>v1|list|filter-fingerprint|position</c>, where the list name and the fingerprint (a hash of the
/// request's filters) make a token of another list, or given with other filters, INVALID_ARGUMENT on
/// page_token. The position is the keyset position after the last item returned, so inserts between
/// pages neither skip nor repeat items. Tokens are not secret and not signed: a forged one only pages
/// elsewhere in what the caller may read anyway.
/// </summary>
public static class PageTokens
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>The page size to use: 0 → <see cref="DefaultPageSize"/>, above <see cref="MaxPageSize"/> → the maximum, negative → a violation.</summary>
    public static int Size(int requested, FieldViolations violations)
    {
        violations.Check(requested >= 0, "page_size", $"must not be negative (0 means {DefaultPageSize}; more than {MaxPageSize} is read as {MaxPageSize})");
        return requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }

    /// <summary>The token of the page after <paramref name="position"/> in <paramref name="list"/> with these filters.</summary>
    public static string Create(string list, string filters, string position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"v1|{list}|{Fingerprint(list, filters)}|{position}"));

    /// <summary>The position in the token, or null for an empty token (the first page); a violation on page_token when it is not this list's with these filters.</summary>
    public static string? Parse(string token, string list, string filters, FieldViolations violations)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|', 4);
            if (parts.Length == 4 && parts[0] == "v1" && parts[1] == list && parts[2] == Fingerprint(list, filters))
            {
                return parts[3];
            }
        }
        catch (FormatException)
        {
            // falls through to the violation
        }

        violations.Add("page_token", "is not a token returned by this list with the same filters; pass next_page_token of the previous response unchanged");
        return null;
    }

    /// <summary>As <see cref="Parse(string, string, string, FieldViolations)"/>, throwing INVALID_ARGUMENT on page_token at once.</summary>
    public static string? Parse(string token, string list, string filters)
    {
        var violations = new FieldViolations();
        var position = Parse(token, list, filters, violations);
        violations.ThrowIfAny();
        return position;
    }

    /// <summary>A numeric position (an id, a sequence, an offset) that must be positive; a violation on page_token otherwise.</summary>
    public static long ParseNumber(string token, string list, string filters, FieldViolations violations)
    {
        if (Parse(token, list, filters, violations) is not { } position)
        {
            return 0;
        }

        if (long.TryParse(position, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            return number;
        }

        violations.Add("page_token", "is not a token returned by this list with the same filters; pass next_page_token of the previous response unchanged");
        return 0;
    }

    private static string Fingerprint(string list, string filters) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(list + "\n" + filters)).AsSpan(0, 6));
}
