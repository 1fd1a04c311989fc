namespace Lingcheng.Talent.ServiceDefaults.Errors;

/// <summary>
/// Quotes a caller's value in an error message only when it is safe to: a short code or field path
/// (ASCII letters, digits, <c>_ . -</c>, at most 64). Anything else — long, control characters, markup,
/// SQL, non-ASCII, possibly personal data — is not echoed. A huge value echoed into <c>grpc-message</c>
/// overflows the HTTP/2 header limit and the client sees UNAVAILABLE instead of the real error; control
/// characters or markup would travel into terminals, logs and web pages.
/// </summary>
public static class Echo
{
    public const int MaxLength = 64;

    /// <summary><c>'VALUE'</c> for a code-shaped value, otherwise a neutral placeholder.</summary>
    public static string Quote(string? value) => IsCodeLike(value) ? $"'{value}'" : "(value not shown)";

    /// <summary>True for 1–64 ASCII letters, digits, <c>_</c>, <c>.</c> or <c>-</c>.</summary>
    public static bool IsCodeLike(string? value) =>
        value is { Length: > 0 and <= MaxLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    /// <summary>True when the text holds a control character (NUL, escape, line breaks…): refused in stored free text.</summary>
    public static bool HasControlCharacters(string? value) => value is not null && value.Any(char.IsControl);
}
