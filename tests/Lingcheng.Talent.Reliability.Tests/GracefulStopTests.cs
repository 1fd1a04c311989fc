using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Reliability.Tests;

/// <summary>
/// A prompt, clean stop (issue 27, docs/operations.md §1): SIGTERM to each service in turn while it holds
/// open feed streams (the registry serves WatchCardEvents to the two others, the entitlement service
/// WatchUsage to verification) and takes writes — cards issued, uses redeemed, verifies audited. Each must
/// exit with code 0 within 3 s (a stop over it is measured once more, and the second must meet it), and after a
/// restart every write a client was told succeeded must be there.
/// </summary>
public sealed class GracefulStopTests
{
    private static readonly TimeSpan Bar = TimeSpan.FromSeconds(3);

    /// <summary>The services' host shutdown timeout (Lingcheng.Talent.ServiceDefaults.Extensions.ShutdownTimeout).</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Sigterm_stops_each_service_within_3_s_with_exit_code_0_and_every_acknowledged_write_kept()
    {
        await using var system = await ReliabilitySystem.StartAsync();
        using var channels = new PromptChannels(system);
        var hrToken = system.Tokens.Mint(Roles.HrOfficer, "stop-hr");
        CallOptions Hr() => TalentSystem.Bearer(hrToken); // fresh deadlines: the test outlasts one
        CallOptions Agency() => system.AsAgency(OutageSystem.Agency, "stop-desk");
        var cards = new List<(string Number, string Qr)>();
        for (var i = 0; i < 3; i++)
        {
            cards.Add(await IssueAsync(channels, Hr()));
        }

        // The feeds are open: the verification service has caught up with both (it answers benefits from its copy).
        await WaitAsync(async () => (await channels.Verification.VerifyAsync(new VerifyRequest { QrText = cards[0].Qr }, Agency())).BenefitsAvailable);

        var issued = new ConcurrentBag<string>();
        var redeemed = new ConcurrentBag<(string Card, string Id)>();
        var verified = new ConcurrentBag<(string Card, string Id)>();
        var report = new List<string>();

        async Task<(int ExitCode, TimeSpan Took)> StopUnderLoadAsync(ServiceProcess service)
        {
            // Every path of the load answers again: the stop measured is that of a service under load, not one
            // whose calls wait for the service restarted last to come back (on a saturated machine that took seconds).
            await WaitAsync(async () =>
            {
                try
                {
                    await IssueAsync(channels, Hr());
                    var card = cards[0];
                    var answer = await channels.Verification.RedeemAsync(new RedeemRequest { QrText = card.Qr, BenefitCode = OutageSystem.Benefit, RedemptionId = "warm-" + Guid.NewGuid().ToString("N") }, Agency());
                    return answer.Status == RedemptionStatus.Redeemed;
                }
                catch (RpcException)
                {
                    return false;
                }
            });

            using var load = new CancellationTokenSource();
            var loops = new[]
            {
                Loop(async () => issued.Add((await IssueAsync(channels, Hr())).Number), load.Token),
                Loop(async () =>
                {
                    var card = cards[Random.Shared.Next(cards.Count)];
                    var id = "stop-" + Guid.NewGuid().ToString("N");
                    var answer = await channels.Verification.RedeemAsync(new RedeemRequest { QrText = card.Qr, BenefitCode = OutageSystem.Benefit, RedemptionId = id }, Agency());
                    if (answer.Status == RedemptionStatus.Redeemed)
                    {
                        redeemed.Add((card.Number, id));
                    }
                }, load.Token),
                Loop(async () =>
                {
                    var card = cards[Random.Shared.Next(cards.Count)];
                    var answer = await channels.Verification.VerifyAsync(new VerifyRequest { QrText = card.Qr }, Agency());
                    verified.Add((card.Number, answer.VerificationId));
                }, load.Token),
            };

            await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
            var (exitCode, took) = await service.StopAsync(TimeSpan.FromSeconds(15));
            await Task.Delay(TimeSpan.FromSeconds(0.5), TestContext.Current.CancellationToken);
            await load.CancelAsync();
            await Task.WhenAll(loops);
            await service.RestartAsync();
            return (exitCode, took);
        }

        // Each service is stopped under load; a stop over the bar is measured once more under the same load, and the
        // second must meet it. A stop that really waits for something (an open stream, a hung write) misses it both
        // times; one the saturated machine delayed once (a CI run measured 3.07 s while browsers ran beside it) does not.
        foreach (var service in new[] { system.Registry!, system.Entitlements!, system.Verification! })
        {
            for (var attempt = 1; ; attempt++)
            {
                var (exitCode, took) = await StopUnderLoadAsync(service);
                report.Add($"{Name(service, system)}: exit {exitCode} after {took.TotalMilliseconds:0} ms");
                Assert.Equal(0, exitCode);
                if ((took <= Bar && took < ShutdownTimeout) || attempt == 2)
                {
                    Assert.True(took <= Bar, $"{Name(service, system)} took {took} to stop ({string.Join("; ", report)}):\n{service.Output}");

                    // Below the host's shutdown timeout: nothing (an open feed stream above all) was waited for until it ran out.
                    Assert.True(took < ShutdownTimeout, $"{Name(service, system)} waited out the shutdown timeout ({took}):\n{service.Output}");
                    break;
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage("Graceful stop: {0}; {1} cards issued, {2} uses redeemed, {3} verifies acknowledged",
            string.Join("; ", report), issued.Count, redeemed.Count, verified.Count);

        // Fresh channels for the checks: the load's channels may still be backing off from the refused
        // connections of the stops, and would fail a first call with UNAVAILABLE.
        using var fresh = new PromptChannels(system);
        foreach (var number in issued)
        {
            var card = await fresh.Registry.GetCardAsync(new GetCardRequest { CardNumber = number }, Hr());
            Assert.Equal(number, card.Card.CardNumber);
        }

        foreach (var group in redeemed.GroupBy(r => r.Card))
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            for (var token = "first"; token.Length > 0;)
            {
                var page = await fresh.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = group.Key, PageSize = 200, PageToken = token == "first" ? "" : token }, Hr());
                listed.UnionWith(page.Redemptions.Select(r => r.RedemptionId));
                token = page.NextPageToken;
            }

            Assert.Empty(group.Select(r => r.Id).Except(listed));
        }

        foreach (var group in verified.GroupBy(v => v.Card))
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            for (var token = "first"; token.Length > 0;)
            {
                var page = await fresh.Verification.ListCardVerificationsAsync(new ListCardVerificationsRequest { CardNumber = group.Key, PageSize = 200, PageToken = token == "first" ? "" : token }, Hr());
                listed.UnionWith(page.Verifications.Select(v => v.VerificationId));
                token = page.NextPageToken;
            }

            Assert.Empty(group.Select(v => v.Id).Except(listed));
        }

        Assert.NotEmpty(issued);
        Assert.NotEmpty(redeemed);
        Assert.NotEmpty(verified);
        Assert.Equal(report.Count, System.Text.RegularExpressions.Regex.Matches(system.AllOutput, "Application is shutting down").Count);
    }

    private static string Name(ServiceProcess service, TalentSystem system) =>
        service == system.Registry ? "registry" : service == system.Entitlements ? "entitlements" : "verification";

    /// <summary>Calls <paramref name="step"/> over and over until cancelled; failures (the service stopping) are not acknowledged and are ignored.</summary>
    private static Task Loop(Func<Task> step, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await step();
                await Task.Delay(5, CancellationToken.None); // some load, not all the machine's two cores
            }
            catch (RpcException)
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }, CancellationToken.None);

    private static async Task<(string Number, string Qr)> IssueAsync(PromptChannels channels, CallOptions hr)
    {
        var talent = await channels.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent(Tier.A) }, hr);
        var card = await channels.Registry.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.Talent.TalentId }, hr);
        return (card.Card.CardNumber, card.QrText);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the services did not answer within 30 s");
            await Task.Delay(100);
        }
    }
}
