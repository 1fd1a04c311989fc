using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Lingcheng.Talent.ServiceDefaults.Errors;

namespace Lingcheng.Talent.Registry.Paging;

/// <summary>
/// Opaque page tokens (AIP-158): base64url of <c>v1|filter-fingerprint|last-key</c>. The
/// fingerprint (a hash of the filters) makes a token given with other filters INVALID_ARGUMENT,
/// as AIP-158 asks; the last key is the paging key of the last item returned (keyset paging, so
/// inserts between pages neither skip nor repeat items).
/// </summary>
public static class PageTokens
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static string Create(string filters, string lastKey) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"v1|{Fingerprint(filters)}|{lastKey}"));

    /// <summary>The last key of the previous page, or null for the first page.</summary>
    public static string? Parse(string token, string filters)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|', 3);
            if (parts.Length == 3 && parts[0] == "v1" && parts[1] == Fingerprint(filters))
            {
                return parts[2];
            }
        }
        catch (FormatException)
        {
        }

        throw RpcErrors.InvalidArgument("page_token", "is not a token returned by this list with the same filters");
    }

    /// <summary>The page size to use: 0 means the default; 1–200 otherwise.</summary>
    public static int Size(int requested, FieldViolations violations)
    {
        violations.Check(requested is >= 0 and <= MaxPageSize, "page_size", $"must be 0–{MaxPageSize}");
        return requested == 0 ? DefaultPageSize : requested;
    }

    private static string Fingerprint(string filters) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(filters)).AsSpan(0, 6));
}
