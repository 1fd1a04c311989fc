using System.Diagnostics;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// A rough throughput probe, not a benchmark (the project's benchmark measures SPEC §7.1): run it
/// by hand with <c>-method "*Verify_throughput*" -explicit only</c> on a quiet machine.
/// </summary>
public sealed class ThroughputProbe
{
    [Fact(Explicit = true)]
    public async Task Verify_throughput_compared_with_an_empty_call()
    {
        await using var fixture = new UnlimitedSystem();
        await fixture.InitializeAsync();
        var (_, qr, _) = await fixture.IssueCardAsync();
        var agency = fixture.System.AsAgency("HOSP_PEOPLE", "probe");
        await fixture.WaitForFeedAsync(qr);

        var empty = await Rate(() => fixture.Verification.GetServerTimeAsync(new GetServerTimeRequest(), agency).ResponseAsync);
        var verify = await Rate(() => fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, agency).ResponseAsync);
        var invalid = await Rate(() => fixture.Verification.VerifyAsync(new VerifyRequest { QrText = "LCT1:ABC" }, agency).ResponseAsync);

        TestContext.Current.SendDiagnosticMessage($"empty call {empty:F0}/s, Verify VALID (repeated token, with entitlements) {verify:F0}/s, Verify MALFORMED {invalid:F0}/s");
        Assert.True(verify > 0);
    }

    private sealed class UnlimitedSystem : VerificationSystem
    {
        protected override string RateLimitPerSecond => "0";
    }

    private static async Task<double> Rate(Func<Task> call, int concurrency = 16, double seconds = 5)
    {
        for (var i = 0; i < 200; i++)
        {
            await call();
        }

        long count = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                await call();
                Interlocked.Increment(ref count);
            }
        }));
        return count / watch.Elapsed.TotalSeconds;
    }
}
