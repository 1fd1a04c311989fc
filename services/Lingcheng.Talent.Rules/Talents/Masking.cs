using System.Globalization;
using System.Text;

namespace Lingcheng.Talent.Rules.Talents;

/// <summary>How personal data is shown to roles other than hr_officer (docs/requirements.md §3.1): by the registry, and by lct and the web app for what they print.</summary>
public static class Masking
{
    /// <summary>Keeps the first and last character: 张晓明→张*明, 欧阳晓明→欧**明, 张明→张*.</summary>
    public static string Name(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return name;
        }

        var elements = StringInfo.ParseCombiningCharacters(name);
        if (elements.Length == 1)
        {
            return "*";
        }

        var first = StringInfo.GetNextTextElement(name, 0);
        if (elements.Length == 2)
        {
            return first + "*";
        }

        var last = StringInfo.GetNextTextElement(name, elements[^1]);
        return new StringBuilder(first).Append('*', elements.Length - 2).Append(last).ToString();
    }

    /// <summary>First 4 and last 4 characters: 3714**********123X.</summary>
    public static string DocumentNumber(string number) => Keep(number, 4, 4);

    /// <summary>First 3 and last 4 digits: 138****0000.</summary>
    public static string Phone(string phone) => Keep(phone, 3, 4);

    private static string Keep(string value, int head, int tail)
    {
        if (string.IsNullOrEmpty(value) || value.Contains('*', StringComparison.Ordinal))
        {
            return value; // nothing to hide, or already masked (a value an auditor was given)
        }

        if (value.Length <= head + tail)
        {
            return new string('*', value.Length);
        }

        return string.Concat(value.AsSpan(0, head), new string('*', value.Length - head - tail), value.AsSpan(value.Length - tail));
    }
}
