using System.Text.RegularExpressions;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>
/// A feed whose connection dies silently — nothing forwarded, nothing closed (<see cref="StallingProxy"/>
/// between a verification replica and the registry or the entitlement service) — is taken for dead by the
/// consumer's idle watchdog and reopened; the keep-alive pings close the dead connection, and the replica
/// catches up on what happened meanwhile. Each test starts a replica of its own behind a proxy; the shared
/// services are not disturbed.
/// </summary>
[Collection(SharedSystem.Name)]
public sealed class FeedStallTests(SharedVerificationSystem fixture)
{
    private TalentSystem System => fixture.System;

    /// <summary>
    /// The replica's settings: its address of <paramref name="service"/> is the proxy; the idle watchdog is set
    /// above the producer's heartbeat, and the keep-alive pings (delay + timeout) later than the watchdog, so
    /// that the watchdog is what notices the stall and the pings what retire the dead connection.
    /// </summary>
    private static Dictionary<string, string> StallSettings(string service, string address, int idleSeconds, int pingSeconds) => new()
    {
        ["Services__" + service] = address,
        ["Verification__FeedIdleTimeoutSeconds"] = idleSeconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
        ["ServiceClients__KeepAlivePingDelaySeconds"] = pingSeconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
        ["ServiceClients__KeepAlivePingTimeoutSeconds"] = pingSeconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task A_silently_stalled_card_feed_is_detected_and_resumed_and_a_revocation_made_meanwhile_arrives()
    {
        await using var proxy = new StallingProxy(System.Registry!.Port);
        var replica = await fixture.StartReplicaProcessAsync(StallSettings("Registry", proxy.Address, idleSeconds: 2, pingSeconds: 3));
        var client = new VerificationService.VerificationServiceClient(replica.Channel);
        var (card, qr, _) = await fixture.IssueCardAsync();
        Assert.Equal(VerificationOutcome.Valid, (await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid, TimeSpan.FromSeconds(20), client)).Outcome);

        var connections = proxy.Connections;
        Assert.True(proxy.Stall() >= 1);
        await fixture.Registry.RevokeCardAsync(new RevokeCardRequest
        {
            RequestId = SyntheticData.RequestId(), CardNumber = card.CardNumber, Reason = RevocationReason.Other, Note = "stall test",
        }, System.AsHrOfficer());

        var revoked = await fixture.VerifyUntilAsync(qr, VerificationOutcome.Revoked, TimeSpan.FromSeconds(30), client);

        Assert.Equal(VerificationOutcome.Revoked, revoked.Outcome);
        Assert.Contains("Card event feed silent for", replica.Output);
        Assert.True(proxy.Connections > connections, "the replica reconnected over a new connection");
    }

    [Fact]
    public async Task A_silently_stalled_usage_feed_is_detected_and_resumed_and_a_use_recorded_meanwhile_arrives()
    {
        await using var proxy = new StallingProxy(System.Entitlements!.Port);
        // The usage feed's heartbeat is the entitlement service's default 5 s: the watchdog gets 8 s, the pings 2 × 6 s.
        var replica = await fixture.StartReplicaProcessAsync(StallSettings("Entitlements", proxy.Address, idleSeconds: 8, pingSeconds: 6));
        var client = new VerificationService.VerificationServiceClient(replica.Channel);
        var (_, qr, _) = await fixture.IssueCardAsync(Tier.A);
        var agency = System.AsAgency("HOSP_PEOPLE", "desk-stall");
        await fixture.VerifyUntilAsync(qr, VerificationOutcome.Valid, TimeSpan.FromSeconds(20), client);
        var before = await UsedAsync(client, qr, agency, until: used => used == 0);
        Assert.Equal(0, before);
        await WaitForAsync(() => CaughtUpCount(replica.Output) >= 1, TimeSpan.FromSeconds(20));

        var connections = proxy.Connections;
        Assert.True(proxy.Stall() >= 1);
        // Recorded through the shared replica, which reaches the entitlement service directly.
        var redeemed = await fixture.Verification.RedeemAsync(new RedeemRequest
        {
            QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N"),
        }, agency);
        Assert.Equal(RedemptionStatus.Redeemed, redeemed.Status);

        // Detected (the watchdog), reopened over a new connection, caught up again: the copy is live and shows the use.
        await WaitForAsync(() => replica.Output.Contains("Usage feed silent for", StringComparison.Ordinal) && CaughtUpCount(replica.Output) >= 2, TimeSpan.FromSeconds(40));
        var after = await UsedAsync(client, qr, agency, until: used => used == 1);

        Assert.Equal(1, after);
        Assert.True(proxy.Connections > connections, "the replica reconnected over a new connection");
    }

    private static int CaughtUpCount(string log) => Regex.Count(log, "Usage feed caught up");

    /// <summary>How often ANNUAL_HEALTH_CHECK was used, as the replica's Verify lists it; polled until <paramref name="until"/> or 20 s.</summary>
    private async Task<int> UsedAsync(VerificationService.VerificationServiceClient client, string qr, Grpc.Core.CallOptions agency, Func<int, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var used = -1;
        while (DateTime.UtcNow < deadline)
        {
            var reply = await client.VerifyAsync(new VerifyRequest { QrText = qr }, agency);
            if (reply.BenefitsAvailable && reply.Benefits.SingleOrDefault(b => b.BenefitCode == "ANNUAL_HEALTH_CHECK") is { } benefit)
            {
                used = benefit.Used;
                if (until(used))
                {
                    return used;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return used;
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition was not met in time");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
