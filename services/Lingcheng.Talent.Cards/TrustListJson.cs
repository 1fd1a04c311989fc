using System.Globalization;
using System.Text.Json;

namespace Lingcheng.Talent.Cards;

/// <summary>
/// The trust list as JSON: what the verification service serves at <c>GET /v1/trust-list</c> and
/// what every conformance vector in <c>docs/conformance/</c> carries, so that a verifier written in
/// another language needs one parser for both. The layout is documented in
/// <c>docs/conformance/README.md</c>:
/// <code>
/// {"issuer": "CN-371403-HRSS",
///  "keys": [{"kid": "f4f7bb7953286e15", "subjectPublicKeyInfo": "MFkw…", "validFrom": "2026-01-01T00:00:00Z",
///            "validUntil": null, "status": "ACTIVE"}]}
/// </code>
/// </summary>
public static class TrustListJson
{
    /// <summary>Status names in the JSON (<c>ACTIVE</c>, <c>RETIRED</c>, <c>REVOKED</c>).</summary>
    public static string StatusName(TrustedKeyStatus status) => status switch
    {
        TrustedKeyStatus.Active => "ACTIVE",
        TrustedKeyStatus.Retired => "RETIRED",
        TrustedKeyStatus.Revoked => "REVOKED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown key status."),
    };

    /// <summary>
    /// An instant as RFC 3339 in UTC (<c>2026-01-01T00:00:00Z</c>), with a fraction only when it has
    /// one. Verifiers compare key windows at whole seconds (the fraction is dropped).
    /// </summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes the trust list as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, string issuer, IEnumerable<TrustedKey> keys)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentNullException.ThrowIfNull(keys);
        writer.WriteStartObject();
        writer.WriteString("issuer", issuer);
        writer.WriteStartArray("keys");
        foreach (var key in keys)
        {
            writer.WriteStartObject();
            writer.WriteString("kid", key.Kid);
            writer.WriteString("subjectPublicKeyInfo", Convert.ToBase64String(key.SubjectPublicKeyInfo.Span));
            writer.WriteString("validFrom", FormatTime(key.ValidFrom));
            if (key.ValidUntil is { } until)
            {
                writer.WriteString("validUntil", FormatTime(until));
            }
            else
            {
                writer.WriteNull("validUntil");
            }

            writer.WriteString("status", StatusName(key.Status));
            if (key.TrustedUntil is { } trustedUntil)
            {
                // Added after v1: written only when set, so the v1 vectors are unchanged.
                writer.WriteString("trustedUntil", FormatTime(trustedUntil));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The trust list as compact UTF-8 JSON.</summary>
    public static byte[] ToUtf8Bytes(string issuer, IEnumerable<TrustedKey> keys)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, issuer, keys);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a trust list from UTF-8 JSON.</summary>
    /// <exception cref="FormatException">The JSON is not a trust list (the message says which field is wrong).</exception>
    public static TrustList Parse(ReadOnlySpan<byte> utf8Json, out string issuer)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            return Parse(document.RootElement, out issuer);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The trust list is not valid JSON: " + ex.Message, ex);
        }
    }

    /// <summary>Reads a trust list from a parsed JSON object. Unknown fields are ignored, so later versions may add some.</summary>
    /// <exception cref="FormatException">The JSON is not a trust list (the message says which field is wrong).</exception>
    public static TrustList Parse(JsonElement trustList, out string issuer)
    {
        if (trustList.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The trust list is not a JSON object.");
        }

        issuer = RequiredString(trustList, "issuer", "the trust list");
        if (!trustList.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("The trust list has no \"keys\" array.");
        }

        var parsed = new List<TrustedKey>(keys.GetArrayLength());
        var index = 0;
        foreach (var key in keys.EnumerateArray())
        {
            parsed.Add(ParseKey(key, $"keys[{index}]"));
            index++;
        }

        try
        {
            return new TrustList(parsed);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    private static TrustedKey ParseKey(JsonElement key, string where)
    {
        if (key.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where} is not a JSON object.");
        }

        var kid = RequiredString(key, "kid", where);
        byte[] spki;
        try
        {
            spki = Convert.FromBase64String(RequiredString(key, "subjectPublicKeyInfo", where));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{where}.subjectPublicKeyInfo is not base64.", ex);
        }

        var validFrom = ParseTime(RequiredString(key, "validFrom", where), where + ".validFrom");
        DateTimeOffset? validUntil = null;
        if (key.TryGetProperty("validUntil", out var until) && until.ValueKind != JsonValueKind.Null)
        {
            validUntil = until.ValueKind == JsonValueKind.String
                ? ParseTime(until.GetString()!, where + ".validUntil")
                : throw new FormatException($"{where}.validUntil is neither a time nor null.");
        }

        var status = RequiredString(key, "status", where) switch
        {
            "ACTIVE" => TrustedKeyStatus.Active,
            "RETIRED" => TrustedKeyStatus.Retired,
            "REVOKED" => TrustedKeyStatus.Revoked,
            var other => throw new FormatException($"{where}.status '{other}' is not ACTIVE, RETIRED or REVOKED."),
        };

        DateTimeOffset? trustedUntil = null;
        if (key.TryGetProperty("trustedUntil", out var trustEnd) && trustEnd.ValueKind != JsonValueKind.Null)
        {
            trustedUntil = trustEnd.ValueKind == JsonValueKind.String
                ? ParseTime(trustEnd.GetString()!, where + ".trustedUntil")
                : throw new FormatException($"{where}.trustedUntil is neither a time nor null.");
        }

        TrustedKey trusted;
        try
        {
            trusted = new TrustedKey(spki, validFrom, validUntil, status) { TrustedUntil = trustedUntil };
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"{where}: {ex.Message}", ex);
        }

        // The kid is derived from the key; one given beside it is only checked, never believed.
        return string.Equals(trusted.Kid, kid, StringComparison.OrdinalIgnoreCase)
            ? trusted
            : throw new FormatException($"{where}.kid {kid} is not the kid of its key ({trusted.Kid}).");
    }

    private static string RequiredString(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"{where} has no \"{name}\" string.");

    private static DateTimeOffset ParseTime(string text, string where) =>
        // RFC 3339 requires an offset; "Z" or "+08:00" both work, a time without one does not.
        text.Length >= 20 && (text.EndsWith('Z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new FormatException($"{where} '{text}' is not an RFC 3339 time with an offset.");
}
