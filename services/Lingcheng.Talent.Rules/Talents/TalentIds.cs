namespace Lingcheng.Talent.Rules.Talents;

/// <summary>
/// The shape of a talent id in a request. The registry makes ids of the form <c>T</c> + 32 hex digits;
/// anything that is not id-shaped (SQL, markup, control characters, huge) is INVALID_ARGUMENT, not a
/// NOT_FOUND that would echo the value back.
/// </summary>
public static class TalentIds
{
    public const string Requirement = "is required: a talent id (1–40 ASCII letters, digits, '-' or '_')";

    public static bool IsWellFormed(string? id) =>
        id is { Length: > 0 and <= 40 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
