using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

[Collection("registry")]
public sealed class AuthAndStreamTests(RegistryFixture fixture)
{
    private readonly TalentRegistryService.TalentRegistryServiceClient _client = fixture.Client;
    private readonly TalentSystem _system = fixture.System;

    [Fact]
    public async Task A_call_without_a_token_is_unauthenticated()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.GetTrustListAsync(new GetTrustListRequest()));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        var forged = await Assert.ThrowsAsync<RpcException>(async () => await _client.ListCardsAsync(new ListCardsRequest(), TalentSystem.Bearer("not.a.token")));
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
    }

    [Fact]
    public async Task A_caller_in_the_wrong_role_is_denied_and_nothing_is_written()
    {
        var before = (await _client.ListAllTalentsAsync(_system)).Count;
        foreach (var options in new[] { _system.AsAgency("HOSP_PEOPLE"), _system.AsAuditor(), _system.AsService(), _system.AsTalent("LC260000019") })
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.CreateTalentAsync(
                new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() }, options));
            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        }

        Assert.Equal(before, (await _client.ListAllTalentsAsync(_system)).Count);
        var issued = await _client.IssueCardAsync(_system);
        var deniedRevoke = await Assert.ThrowsAsync<RpcException>(async () => await _client.RevokeCardAsync(
            new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = issued.Card.CardNumber, Reason = RevocationReason.Misconduct }, _system.AsAuditor()));
        Assert.Equal(StatusCode.PermissionDenied, deniedRevoke.StatusCode);
        using var watch = _client.WatchCardEvents(new WatchCardEventsRequest(), _system.AsAgency("EDU"));
        var deniedWatch = await Assert.ThrowsAsync<RpcException>(async () => await watch.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.PermissionDenied, deniedWatch.StatusCode);
        var deniedAudit = await Assert.ThrowsAsync<RpcException>(async () => await _client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), _system.AsService()));
        Assert.Equal(StatusCode.PermissionDenied, deniedAudit.StatusCode);
    }

    [Fact]
    public async Task A_talent_reads_their_own_card_but_not_anothers()
    {
        var mine = await _client.IssueCardAsync(_system);
        var other = await _client.IssueCardAsync(_system);
        var asMe = _system.AsTalent(mine.Card.CardNumber);
        Assert.Equal(mine.Card.CardNumber, (await _client.GetCardAsync(new GetCardRequest { CardNumber = mine.Card.CardNumber }, asMe)).Card.CardNumber);

        var card = await Assert.ThrowsAsync<RpcException>(async () => await _client.GetCardAsync(new GetCardRequest { CardNumber = other.Card.CardNumber }, asMe));
        Assert.Equal(StatusCode.PermissionDenied, card.StatusCode);
        var talent = await Assert.ThrowsAsync<RpcException>(async () => await _client.GetTalentAsync(new GetTalentRequest { TalentId = other.Card.TalentId }, asMe));
        Assert.Equal(StatusCode.PermissionDenied, talent.StatusCode);
        var qr = await Assert.ThrowsAsync<RpcException>(async () => await _client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = other.Card.CardNumber }, asMe));
        Assert.Equal(StatusCode.PermissionDenied, qr.StatusCode);
    }

    [Fact]
    public async Task A_resumed_event_stream_misses_and_repeats_no_event()
    {
        var hr = _system.AsHrOfficer();
        var received = new List<CardEvent>();
        long last;
        var live = (await _client.IssueCardAsync(_system)).Card.CardNumber;

        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            using var call = _client.WatchCardEvents(new WatchCardEventsRequest(), _system.AsService());
            var stream = call.ResponseStream;
            // History first, up to the caught-up marker.
            while (await stream.MoveNext(cts.Token) && !stream.Current.CaughtUp)
            {
                received.Add(stream.Current.Event);
            }

            Assert.True(stream.Current.CaughtUp);
            Assert.Equal(received[^1].Sequence, stream.Current.HeadSequence);

            // Live: a change made now arrives on the open stream.
            await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = live, Note = "live" }, hr);
            while (await stream.MoveNext(cts.Token))
            {
                if (stream.Current.Event is { } e)
                {
                    received.Add(e);
                    if (e.CardNumber == live && e.Type == CardEventType.Suspended)
                    {
                        break;
                    }
                }
            }

            last = received[^1].Sequence;
        } // disconnect

        // Changes while disconnected.
        await _client.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = live }, hr);
        var offline = await _client.IssueCardAsync(_system);

        var resumed = await _client.ReadHistoryAsync(_system, after: last);
        received.AddRange(resumed);
        Assert.Contains(resumed, e => e.CardNumber == offline.Card.CardNumber && e.Type == CardEventType.Issued);
        Assert.Contains(resumed, e => e.CardNumber == live && e.Type == CardEventType.Reinstated);

        var sequences = received.Select(e => e.Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task An_idle_stream_sends_heartbeat_markers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = _client.WatchCardEvents(new WatchCardEventsRequest { AfterSequence = long.MaxValue / 2 }, _system.AsAuditor().WithCancellationToken(cts.Token));
        var markers = 0;
        while (markers < 2 && await call.ResponseStream.MoveNext(cts.Token))
        {
            Assert.True(call.ResponseStream.Current.CaughtUp);
            markers++;
        }

        Assert.Equal(2, markers);
    }
}
