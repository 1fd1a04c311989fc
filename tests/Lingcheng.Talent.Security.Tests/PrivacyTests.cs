using System.Text.RegularExpressions;
using Lingcheng.Talent.Cards;
using Xunit;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// SPEC §6 and issue 9, read after every other collection ran (collections run in name order): the
/// captured output of every service holds no identity number, phone, QR token, bearer token or key
/// material, and what agency terminals were answered (and every error this suite received) holds no
/// identity number or phone.
/// </summary>
[Collection(Collections.Privacy)]
public sealed partial class PrivacyTests(SecuritySystem fixture)
{
    [Fact]
    public void The_logs_of_every_service_hold_no_identity_number_phone_qr_token_bearer_token_or_key_after_the_whole_suite()
    {
        var logs = fixture.AllOutput;
        var sensitive = fixture.Sensitive.ToArray();
        TestContext.Current.SendDiagnosticMessage($"Scanned {logs.Length} characters of service output for {sensitive.Length} sensitive values");

        // The scan has something to look for: the suite ran before it and handed the services all of these.
        Assert.True(sensitive.Count(s => s.Key.StartsWith("identity ", StringComparison.Ordinal)) >= 20, "too few identity numbers were used");
        Assert.True(sensitive.Count(s => s.Key.StartsWith("phone ", StringComparison.Ordinal)) >= 20, "too few phones were used");
        Assert.True(sensitive.Count(s => s.Key.StartsWith("qr ", StringComparison.Ordinal)) >= 10, "too few QR texts were used");
        Assert.True(sensitive.Count(s => s.Key.StartsWith("bearer token ", StringComparison.Ordinal)) >= 100, "too few bearer tokens were used");
        Assert.Contains("Application started", logs, StringComparison.Ordinal); // the output was captured

        var leaks = sensitive.Where(s => logs.Contains(s.Value, StringComparison.Ordinal)).Select(s => Kind(s.Key)).ToList();
        leaks.AddRange(Patterns().Where(p => p.Pattern.IsMatch(logs)).Select(p => $"{p.Name}: '{Around(logs, p.Pattern.Match(logs))}'"));

        Assert.True(leaks.Count == 0, "The service logs hold: " + string.Join("; ", leaks.Distinct()));
    }

    [Fact]
    public void What_agencies_were_answered_and_every_error_hold_no_identity_number_or_phone()
    {
        var answers = fixture.AgencyAnswers.ToArray();
        var errors = fixture.Errors.ToArray();
        var personal = fixture.PersonalData.ToArray();
        TestContext.Current.SendDiagnosticMessage($"Scanned {answers.Length} agency answers and {errors.Length} errors for {personal.Length} identity numbers and phones");
        Assert.True(answers.Length >= 500, $"only {answers.Length} agency answers were kept");
        Assert.True(errors.Length >= 100, $"only {errors.Length} errors were kept");

        var leaks = new List<string>();
        foreach (var text in answers.Concat(errors))
        {
            leaks.AddRange(personal.Where(p => text.Contains(p.Value, StringComparison.Ordinal)).Select(p => Kind(p.Key)));
            if (IdentityNumber().Match(text) is { Success: true } id && Iso7064.ComputeMod11_2CheckCharacter(id.Value.AsSpan(0, 17)) == id.Value[17])
            {
                leaks.Add($"something shaped like a resident ID: '{Around(text, id)}'");
            }
        }

        Assert.True(leaks.Count == 0, "Answers hold: " + string.Join("; ", leaks.Distinct()));
    }

    /// <summary>What no log line may contain, whatever the values of this run.</summary>
    private static IEnumerable<(string Name, Regex Pattern)> Patterns() =>
    [
        ("a QR token (prefix " + CardToken.Prefix + ")", new Regex(@"LCT\d:", RegexOptions.CultureInvariant)),
        ("a JWT", new Regex(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ", RegexOptions.CultureInvariant)),
        ("a bearer credential", new Regex(@"Bearer\s+[A-Za-z0-9_.-]{20,}", RegexOptions.CultureInvariant)),
        ("PEM key material", new Regex(@"-----BEGIN|PRIVATE KEY", RegexOptions.CultureInvariant)),
    ];

    [GeneratedRegex(@"(?<![0-9])[1-9][0-9]{16}[0-9X](?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex IdentityNumber();

    /// <summary>The kind of a sensitive value, without the value.</summary>
    private static string Kind(string key) => key.Split(' ')[0] + (key.StartsWith("bearer", StringComparison.Ordinal) ? " token" : "");

    /// <summary>A little context around a match, with the match itself cut short.</summary>
    private static string Around(string text, Match m)
    {
        var start = Math.Max(0, m.Index - 60);
        var before = text[start..m.Index];
        return before.Replace('\n', ' ') + m.Value[..Math.Min(8, m.Value.Length)] + "…";
    }
}
