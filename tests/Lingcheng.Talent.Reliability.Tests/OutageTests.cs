using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Lingcheng.Talent.Reliability.Tests.Workload;
using Lingcheng.Talent.V1;
using Xunit;

namespace Lingcheng.Talent.Reliability.Tests;

/// <summary>
/// SPEC §7.2 and issue 9's outages, under load and for longer than the verification tests'
/// DegradedOperationTests (which check single calls in a 2.5 s outage): a long registry outage
/// served from both caches and caught up after, the entitlement service killed with redemptions
/// in flight, and a verification replica killed while card changes stream in.
/// </summary>
public sealed class OutageTests(OutageSystem fixture) : IClassFixture<OutageSystem>
{
    [Fact]
    public async Task During_a_long_registry_outage_verify_and_redeem_keep_answering_from_the_caches_and_both_catch_up_after_restart()
    {
        await fixture.EnsureRunningAsync();
        var outage = Soak.Minutes is { } m ? TimeSpan.FromMinutes(Math.Clamp(m / 6, 1, 5)) : TimeSpan.FromSeconds(10);
        var active = await fixture.IssueAsync();
        var suspended = await fixture.IssueAsync();
        var revoked = await fixture.IssueAsync();
        var toRevoke = await fixture.IssueAsync();
        var toSuspend = await fixture.IssueAsync();
        await fixture.ChangeAsync(suspended.Card.CardNumber, CardState.Suspended);
        await fixture.ChangeAsync(revoked.Card.CardNumber, CardState.Revoked);
        var before = new List<(string Card, string QrText, CardState State)>
        {
            (active.Card.CardNumber, active.QrText, CardState.Active),
            (suspended.Card.CardNumber, suspended.QrText, CardState.Suspended),
            (revoked.Card.CardNumber, revoked.QrText, CardState.Revoked),
            (toRevoke.Card.CardNumber, toRevoke.QrText, CardState.Active),
            (toSuspend.Card.CardNumber, toSuspend.QrText, CardState.Active),
        };
        Assert.Empty(await fixture.WaitUntilShownAsync(before, TimeSpan.FromSeconds(30)));

        // The registry goes down; agencies keep verifying every card and redeeming on the active one.
        fixture.System.Registry!.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var wrong = new ConcurrentQueue<string>();
        var redeemed = new ConcurrentBag<string>();
        var verifies = 0;
        var latestStateAsOf = DateTimeOffset.MinValue;
        var clock = Stopwatch.StartNew();
        var verifying = Task.Run(async () =>
        {
            for (var i = 0; clock.Elapsed < outage; i++)
            {
                var (card, qr, state) = before[i % before.Count];
                var answer = await fixture.VerifyAsync(qr, "rel-outage-verify");
                Interlocked.Increment(ref verifies);
                if (answer.Outcome != OutageSystem.Outcome(state))
                {
                    wrong.Enqueue($"verify of {card} ({state}) answered {answer.Outcome} during the registry outage");
                }

                lock (wrong)
                {
                    latestStateAsOf = answer.StateAsOf.ToDateTimeOffset() > latestStateAsOf ? answer.StateAsOf.ToDateTimeOffset() : latestStateAsOf;
                }

                await Task.Delay(50);
            }
        });
        var redeeming = Task.Run(async () =>
        {
            while (clock.Elapsed < outage)
            {
                var id = "rd-" + Guid.NewGuid().ToString("N");
                var answer = await fixture.RedeemAsync(active.QrText, id, "rel-outage-redeem");
                if (answer.Status == RedemptionStatus.Redeemed)
                {
                    redeemed.Add(id);
                }
                else
                {
                    wrong.Enqueue($"redeem on {active.Card.CardNumber} answered {answer.Status} during the registry outage: {answer.Message}");
                }

                await Task.Delay(200);
            }
        });
        await Task.WhenAll(verifying, redeeming);

        // Back up: changes made now reach both caches (their feeds resume from their stored sequences).
        await fixture.System.Registry.RestartAsync();
        var revokedAfter = await fixture.ChangeAsync(toRevoke.Card.CardNumber, CardState.Revoked);
        var suspendedAfter = await fixture.ChangeAsync(toSuspend.Card.CardNumber, CardState.Suspended);
        var (verificationLag, entitlementsLag) = await CatchUpTimesAsync(toRevoke.Card.CardNumber, toRevoke.QrText, TimeSpan.FromSeconds(60));
        var behind = await fixture.WaitUntilShownAsync(
            [(toRevoke.Card.CardNumber, toRevoke.QrText, CardState.Revoked), (toSuspend.Card.CardNumber, toSuspend.QrText, CardState.Suspended)],
            TimeSpan.FromSeconds(60));
        var refused = await fixture.RedeemAsync(toRevoke.QrText, "rd-" + Guid.NewGuid().ToString("N"));
        var recorded = await fixture.RedemptionsAsync(active.Card.CardNumber);

        Summary.Print(string.Create(CultureInfo.InvariantCulture,
            $"=== Registry outage of {outage.TotalSeconds:0} s: {verifies} verifies ({verifies / outage.TotalSeconds:0.0}/s) and {redeemed.Count} redemptions ({redeemed.Count / outage.TotalSeconds:0.0}/s) answered from the caches; "
            + $"answers' state_as_of stayed at {latestStateAsOf:HH:mm:ss.fff} (kill at {killedAt:HH:mm:ss.fff}); after the restart the revocation (event {revokedAfter.LastEventSequence}) and suspension (event {suspendedAfter.LastEventSequence}) reached both caches "
            + $"(revocation shown by verification after {verificationLag?.TotalSeconds:0.0} s, by the entitlement service after {entitlementsLag?.TotalSeconds:0.0} s); wrong answers: {wrong.Count}"));
        Assert.Empty(wrong);
        Assert.True(verifies > 0 && !redeemed.IsEmpty);
        Assert.True(latestStateAsOf <= killedAt, $"answers during the outage claimed a state as of {latestStateAsOf:O}, after the registry died at {killedAt:O}");
        Assert.Empty(behind);
        Assert.Equal((RedemptionStatus.VerificationFailed, VerificationOutcome.Revoked), (refused.Status, refused.Outcome));
        Assert.Empty(await fixture.RedemptionsAsync(toRevoke.Card.CardNumber));
        Assert.Equal(redeemed.Order(StringComparer.Ordinal), recorded.Select(r => r.RedemptionId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task With_the_entitlement_service_killed_under_redeem_load_verify_degrades_redeem_refuses_and_retries_record_each_use_once()
    {
        await fixture.EnsureRunningAsync();
        var down = Soak.IsSoak ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(3);
        var (card, qr) = await fixture.IssueAsync();
        Assert.Empty(await fixture.WaitUntilShownAsync([(card.CardNumber, qr, CardState.Active)], TimeSpan.FromSeconds(30)));

        var killed = 0; // set once the process has exited: calls started after it cannot reach the service
        var attempts = new ConcurrentBag<(string Id, bool AfterKill, RedeemResponse? Answer, RpcException? Error)>();
        var degraded = new ConcurrentBag<VerifyResponse>();
        using var stop = new CancellationTokenSource();
        async Task RedeemLoop(string terminal)
        {
            while (!stop.IsCancellationRequested)
            {
                var id = "rd-" + Guid.NewGuid().ToString("N");
                var afterKill = Volatile.Read(ref killed) == 1;
                try
                {
                    attempts.Add((id, afterKill, await fixture.RedeemAsync(qr, id, terminal), null));
                }
                catch (RpcException ex)
                {
                    attempts.Add((id, afterKill, null, ex));
                }

                await Task.Delay(20);
            }
        }

        async Task VerifyLoop()
        {
            while (!stop.IsCancellationRequested)
            {
                var afterKill = Volatile.Read(ref killed) == 1;
                var answer = await fixture.VerifyAsync(qr, "rel-degraded-verify");
                if (afterKill)
                {
                    degraded.Add(answer);
                }

                await Task.Delay(50);
            }
        }

        var load = new[] { RedeemLoop("rel-degraded-1"), RedeemLoop("rel-degraded-2"), RedeemLoop("rel-degraded-3"), RedeemLoop("rel-degraded-4"), VerifyLoop() };
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        fixture.System.Entitlements!.Kill();
        Volatile.Write(ref killed, 1);
        await Task.Delay(down, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await Task.WhenAll(load);
        await fixture.System.Entitlements.RestartAsync();

        // Calls cut off by the kill: the client retries with the same id; the use is then recorded exactly once.
        var inFlight = attempts.Where(a => a is { AfterKill: false, Error: not null }).ToList();
        var resolved = new List<RedeemResponse>();
        var misinformed = new List<string>();
        foreach (var (id, _, _, error) in inFlight)
        {
            var retried = await RetryAsync(() => fixture.RedeemAsync(qr, id));
            resolved.Add(retried);
            if (retried.Status == RedemptionStatus.AlreadyRedeemed && error!.Status.Detail.Contains("nothing was recorded", StringComparison.OrdinalIgnoreCase))
            {
                misinformed.Add($"{id}: told \"{error.Status.Detail}\" but the use had been recorded");
            }
        }

        var recorded = await fixture.RedemptionsAsync(card.CardNumber);
        var recordedIds = recorded.Select(r => r.RedemptionId).ToHashSet(StringComparer.Ordinal);
        var acknowledged = attempts.Where(a => a.Answer?.Status == RedemptionStatus.Redeemed).Select(a => a.Id).ToList();
        var refusedWhileDown = attempts.Where(a => a.AfterKill).ToList();
        var recovered = await fixture.VerifyAsync(qr);

        Summary.Print(string.Create(CultureInfo.InvariantCulture,
            $"=== Entitlement service killed under load, down {down.TotalSeconds:0} s: {acknowledged.Count} redemptions acknowledged before, {degraded.Count(v => !v.BenefitsAvailable)} of {degraded.Count} verifies while down answered benefits_available=false, {inFlight.Count} cut off in flight and retried with their ids "
            + $"({resolved.Count(r => r.Status == RedemptionStatus.AlreadyRedeemed)} had been recorded; errors they got: {string.Join(" | ", inFlight.Select(a => a.Error!.Status.Detail).Distinct())}), {refusedWhileDown.Count} redeems refused UNAVAILABLE while down; {recorded.Count} uses recorded"));
        Assert.NotEmpty(acknowledged);
        Assert.NotEmpty(refusedWhileDown);
        Assert.NotEmpty(degraded);
        Assert.All(refusedWhileDown, a => Assert.Equal(StatusCode.Unavailable, a.Error?.StatusCode));
        // Validity is always answered. Benefits: from the verification's live copy of the usage feed until it
        // notices the feed broke (a moment after the kill), then marked unavailable.
        Assert.All(degraded, v => Assert.Equal(VerificationOutcome.Valid, v.Outcome));
        Assert.Contains(degraded, v => !v.BenefitsAvailable);
        Assert.All(degraded.Where(v => !v.BenefitsAvailable), v => Assert.All(v.Benefits, b => Assert.Equal(EntitlementStatus.Unavailable, b.Status)));
        Assert.All(resolved, r => Assert.Contains(r.Status, new[] { RedemptionStatus.Redeemed, RedemptionStatus.AlreadyRedeemed }));
        Assert.Empty(misinformed); // an agency told "nothing was recorded" would not know the holder's quota was used
        Assert.Equal(recorded.Count, recordedIds.Count); // no id twice
        Assert.Equal(acknowledged.Concat(inFlight.Select(a => a.Id)).Order(StringComparer.Ordinal), recordedIds.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(refusedWhileDown, a => recordedIds.Contains(a.Id));
        Assert.True(recovered.BenefitsAvailable);
    }

    [Fact]
    public async Task A_verification_replica_killed_while_changes_stream_in_resumes_from_its_stored_sequence_and_applies_what_it_missed()
    {
        await fixture.EnsureRunningAsync();
        var verification = fixture.System.Verification!;
        var cards = new List<(Card Card, string QrText)>();
        for (var i = 0; i < 12; i++)
        {
            cards.Add(await fixture.IssueAsync());
        }

        Assert.Empty(await fixture.WaitUntilShownAsync([.. cards.Select(c => (c.Card.CardNumber, c.QrText, CardState.Active))], TimeSpan.FromSeconds(30), entitlementsToo: false));
        var issuedUpTo = cards.Max(c => c.Card.LastEventSequence);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken); // the replica stores what it applied a moment after

        // Revocations and suspensions stream in; the replica is killed after the third and restarted after the last.
        var expected = new List<(string Card, string QrText, CardState State)>();
        long head = 0;
        for (var i = 0; i < cards.Count; i++)
        {
            var target = i % 2 == 0 ? CardState.Revoked : CardState.Suspended;
            head = (await fixture.ChangeAsync(cards[i].Card.CardNumber, target)).LastEventSequence;
            expected.Add((cards[i].Card.CardNumber, cards[i].QrText, target));
            if (i == 2)
            {
                verification.Kill();
            }

            await Task.Delay(150, TestContext.Current.CancellationToken);
        }

        await verification.RestartAsync();
        var resumedAfter = ReliabilitySystem.ResumePoints(verification)[^1];
        var behind = await fixture.WaitUntilShownAsync(expected, TimeSpan.FromSeconds(30), entitlementsToo: false);
        var chain = (await fixture.Verification.VerifyAuditChainAsync(new VerificationServiceVerifyAuditChainRequest(), fixture.Hr())).Report;

        Summary.Print(string.Create(CultureInfo.InvariantCulture,
            $"=== Verification replica killed mid-stream: resumed after sequence {resumedAfter} (cards issued up to {issuedUpTo}, registry head {head}); {expected.Count} changes shown after restart; audit chain: {chain.Detail}"));
        Assert.InRange(resumedAfter, issuedUpTo, head - 1); // resumed from its stored sequence: neither from zero nor already past what it missed
        Assert.Empty(behind);
        Assert.True(chain.Intact, chain.Detail);
    }

    /// <summary>How long after now the verification and the entitlement service each show the card REVOKED (null: not within the wait).</summary>
    private async Task<(TimeSpan? Verification, TimeSpan? Entitlements)> CatchUpTimesAsync(string cardNumber, string qrText, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? verification = null, entitlements = null;
        while ((verification is null || entitlements is null) && clock.Elapsed < within)
        {
            try
            {
                if (verification is null && (await fixture.VerifyAsync(qrText, "rel-catch-up")).Outcome == VerificationOutcome.Revoked)
                {
                    verification = clock.Elapsed;
                }

                if (entitlements is null && (await fixture.Entitlements.ListCardEntitlementsAsync(new ListCardEntitlementsRequest { CardNumber = cardNumber }, fixture.Hr())).CardState == CardState.Revoked)
                {
                    entitlements = clock.Elapsed;
                }
            }
            catch (RpcException)
            {
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return (verification, entitlements);
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && attempt < 60)
            {
                await Task.Delay(500);
            }
        }
    }
}
