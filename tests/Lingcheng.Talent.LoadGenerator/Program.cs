using System.Globalization;
using Lingcheng.Talent.LoadGenerator;

// lct-load: the SPEC §7.1 benchmark. Usage (docs/performance.md):
//   dotnet run -c Release --project tests/Lingcheng.Talent.LoadGenerator -- [--smoke] [--cards N] [--rounds N]
//     [--seconds N] [--connections N] [--concurrency N] [--revocations N] [--cached-cards N] [--audit-skips-fsync]
//     [--service-env KEY=VALUE]… [--out report.md]
var options = new BenchmarkOptions();
string? output = null;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        var arg = args[i];
        if (arg == "--smoke")
        {
            options = BenchmarkOptions.Smoke;
            continue;
        }

        if (arg == "--audit-skips-fsync")
        {
            options = options with { AuditSkipsFsync = true };
            continue;
        }

        if (arg is "-h" or "--help")
        {
            Console.WriteLine("lct-load [--smoke] [--cards N] [--rounds N] [--seconds N] [--connections N] [--concurrency N] [--revocations N] [--cached-cards N] [--audit-skips-fsync] [--service-env KEY=VALUE]… [--out report.md]");
            return 0;
        }

        var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
        options = arg switch
        {
            "--cards" => options with { Cards = Positive(arg, value) },
            "--rounds" => options with { Rounds = Positive(arg, value) },
            "--seconds" => options with { Phase = TimeSpan.FromSeconds(Positive(arg, value)) },
            "--connections" => options with { Connections = Positive(arg, value) },
            "--concurrency" => options with { Concurrency = Positive(arg, value) },
            "--revocations" => options with { Revocations = Positive(arg, value) },
            "--cached-cards" => options with { CachedCards = Math.Min(Positive(arg, value), 1_000_000 + options.Cards) },
            "--out" => options,
            "--service-env" => options with
            {
                ServiceEnvironment = new Dictionary<string, string>(options.ServiceEnvironment)
                {
                    [value.Split('=', 2)[0]] = value.Contains('=', StringComparison.Ordinal) ? value.Split('=', 2)[1] : throw new ArgumentException("--service-env takes KEY=VALUE."),
                },
            },
            _ => throw new ArgumentException($"Unknown option {arg}; see --help."),
        };
        if (arg == "--out")
        {
            output = value;
        }
    }
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var report = await new Benchmark(options, line => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}")).RunAsync();
var markdown = report.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
if (output is not null)
{
    await File.WriteAllTextAsync(output, markdown);
}

return report.Failures.Count == 0 ? 0 : 1;

static int Positive(string name, string value) =>
    int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number, not '{value}'.");
