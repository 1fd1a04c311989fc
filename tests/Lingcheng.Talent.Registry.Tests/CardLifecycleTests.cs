using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

[Collection("registry")]
public sealed class CardLifecycleTests(RegistryFixture fixture)
{
    private readonly TalentRegistryService.TalentRegistryServiceClient _client = fixture.Client;
    private readonly TalentSystem _system = fixture.System;

    private async Task<TrustList> TrustListAsync()
    {
        var list = await _client.GetTrustListAsync(new GetTrustListRequest(), _system.AsAgency("HOSP_PEOPLE"));
        return new TrustList(list.Keys.Select(k => new Cards.TrustedKey(
            k.SubjectPublicKeyInfo.Span,
            k.ValidFrom.ToDateTimeOffset(),
            k.ValidUntil?.ToDateTimeOffset(),
            (TrustedKeyStatus)k.Status)));
    }

    [Fact]
    public async Task A_cards_history_lists_its_events_oldest_first_in_pages_and_refuses_a_bad_or_unknown_number()
    {
        var hr = _system.AsHrOfficer();
        var talent = await _client.CreateTalentAsync(_system, SyntheticData.NewTalent());
        var number = (await _client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, hr)).Card.CardNumber;
        await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Note = "checking" }, hr);
        await _client.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number }, hr);
        await _client.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Reason = RevocationReason.DataError }, hr);

        var first = await _client.ListCardEventsAsync(new ListCardEventsRequest { CardNumber = number, PageSize = 3 }, _system.AsAuditor());
        var rest = await _client.ListCardEventsAsync(new ListCardEventsRequest { CardNumber = number, PageSize = 3, PageToken = first.NextPageToken }, _system.AsAuditor());

        Assert.Equal(
            [CardEventType.Issued, CardEventType.Suspended, CardEventType.Reinstated, CardEventType.Revoked],
            first.Events.Concat(rest.Events).Select(e => e.Type));
        Assert.Empty(rest.NextPageToken);
        Assert.All(first.Events.Concat(rest.Events), e => Assert.Equal(number, e.CardNumber));
        Assert.Equal(RevocationReason.DataError, rest.Events.Single().RevocationReason);

        var bad = await Assert.ThrowsAsync<RpcException>(() => _client.ListCardEventsAsync(new ListCardEventsRequest { CardNumber = "LC12345" }, hr).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => _client.ListCardEventsAsync(new ListCardEventsRequest { CardNumber = CardNumber.Create(26, 999_999) }, hr).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var talentCaller = await Assert.ThrowsAsync<RpcException>(() => _client.ListCardEventsAsync(new ListCardEventsRequest { CardNumber = number }, _system.AsTalent(number)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, talentCaller.StatusCode);
    }

    [Fact]
    public async Task A_card_goes_through_its_whole_life_with_real_tokens()
    {
        var hr = _system.AsHrOfficer();
        var talent = await _client.CreateTalentAsync(_system, SyntheticData.NewTalent(V1.Tier.A, "张晓明"));
        Assert.StartsWith("T", talent.TalentId);

        var issued = await _client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, hr);
        var number = issued.Card.CardNumber;
        Assert.True(CardNumber.IsValid(number));
        Assert.Equal(CardState.Active, issued.Card.State);
        Assert.Equal(1, issued.Card.CardVersion);
        Assert.Equal("张*明", issued.Card.HolderDisplayName);
        Assert.Equal(V1.Tier.A, issued.Card.Tier);
        var months = (issued.Card.ExpireTime.ToDateTime() - issued.Card.IssueTime.ToDateTime()).TotalDays / 30.4;
        Assert.InRange(months, 35, 37);

        var verifier = new CardTokenVerifier(TimeProvider.System);
        var check = verifier.Verify(issued.QrText, await TrustListAsync());
        Assert.Equal(TokenOutcome.Valid, check.Outcome);
        Assert.Equal(number, check.Claims!.CardNumber);
        Assert.Equal(TokenKind.Static, check.Claims.Kind);

        var read = await _client.GetTalentAsync(new GetTalentRequest { TalentId = talent.TalentId }, hr);
        Assert.Equal(number, read.Talent.CardNumber);
        Assert.Equal(CardState.Active, read.Talent.CardState);

        var suspended = await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Note = "under investigation" }, hr);
        Assert.Equal(CardState.Suspended, suspended.Card.State);
        var reinstated = await _client.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number }, hr);
        Assert.Equal(CardState.Active, reinstated.Card.State);

        var renewed = await _client.RenewCardAsync(new RenewCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, ValidityMonths = 60 }, hr);
        Assert.True(renewed.Card.ExpireTime.ToDateTime() > issued.Card.ExpireTime.ToDateTime());
        Assert.Equal(TokenOutcome.Valid, verifier.Verify(renewed.QrText, await TrustListAsync()).Outcome);

        var reissued = await _client.ReissueCardAsync(new ReissueCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Note = "lost" }, hr);
        Assert.Equal(number, reissued.Card.CardNumber);
        Assert.Equal(2, reissued.Card.CardVersion);
        var reissuedCheck = verifier.Verify(reissued.QrText, await TrustListAsync());
        Assert.Equal(TokenOutcome.Valid, reissuedCheck.Outcome);
        Assert.Equal(2, reissuedCheck.Claims!.CardVersion);

        var qr = await _client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = number, Format = QrImageFormat.Png }, hr);
        Assert.Equal("image/png", qr.ContentType);
        Assert.Equal(qr.QrText, QrImages.Read(qr.Image.ToByteArray()));
        Assert.InRange(qr.QrVersion, 1, 11);
        var svg = await _client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = number, Format = QrImageFormat.Svg }, _system.AsTalent(number));
        Assert.Equal("image/svg+xml", svg.ContentType);
        Assert.Contains("<svg", svg.Image.ToStringUtf8());

        var dynamicToken = await _client.IssueDynamicTokenAsync(new IssueDynamicTokenRequest { CardNumber = number }, _system.AsTalent(number));
        var dynamicCheck = verifier.Verify(dynamicToken.QrText, await TrustListAsync());
        Assert.Equal(TokenOutcome.Valid, dynamicCheck.Outcome);
        Assert.Equal(TokenKind.Dynamic, dynamicCheck.Claims!.Kind);
        Assert.InRange((dynamicToken.ExpireTime.ToDateTimeOffset() - DateTimeOffset.UtcNow).TotalSeconds, 60, 125);

        var revoked = await _client.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Reason = RevocationReason.LeftDistrict }, hr);
        Assert.Equal(CardState.Revoked, revoked.Card.State);
        Assert.Equal(RevocationReason.LeftDistrict, revoked.Card.RevocationReason);

        var events = (await _client.ReadHistoryAsync(_system)).Where(e => e.CardNumber == number).ToList();
        Assert.Equal(
            [CardEventType.Issued, CardEventType.Suspended, CardEventType.Reinstated, CardEventType.Renewed, CardEventType.Reissued, CardEventType.Revoked],
            events.Select(e => e.Type));
        Assert.Equal(CardState.Revoked, events[^1].State);
        Assert.Equal(2, events[^1].CardVersion);
        Assert.Equal(revoked.Card.LastEventSequence, events[^1].Sequence);

        // A revoked card is no talent's current card: a new one may be issued, with a new number.
        var again = await _client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId }, hr);
        Assert.NotEqual(number, again.Card.CardNumber);
        var cards = await _client.ListCardsAsync(new ListCardsRequest { TalentId = talent.TalentId }, hr);
        Assert.Equal(2, cards.Cards.Count);
    }

    [Fact]
    public async Task Issuing_a_second_card_while_one_is_in_force_is_refused()
    {
        var issued = await _client.IssueCardAsync(_system);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.IssueCardAsync(
            new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = issued.Card.TalentId }, _system.AsHrOfficer()));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains(issued.Card.CardNumber, ex.Status.Detail);
    }

    public static TheoryData<string, string> IllegalTransitions => new()
    {
        { "ACTIVE", "reinstate" },
        { "SUSPENDED", "suspend" },
        { "SUSPENDED", "renew" },
        { "REVOKED", "renew" },
        { "REVOKED", "suspend" },
        { "REVOKED", "reinstate" },
        { "REVOKED", "revoke" },
        { "REVOKED", "reissue" },
        { "EXPIRED", "suspend" },
        { "EXPIRED", "reinstate" },
        { "EXPIRED", "reissue" },
    };

    [Theory]
    [MemberData(nameof(IllegalTransitions))]
    public async Task An_illegal_transition_is_refused_naming_the_current_state_and_changes_nothing(string state, string action)
    {
        var hr = _system.AsHrOfficer();
        var number = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        switch (state)
        {
            case "SUSPENDED":
                await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Note = "check" }, hr);
                break;
            case "REVOKED":
                await _client.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Reason = RevocationReason.Misconduct }, hr);
                break;
            case "EXPIRED":
                // Expiry is derived from the date: move this card's expiry into the past.
                Assert.Equal(1, RegistryCalls.Execute(_system, "UPDATE Cards SET ExpiresAt = '2020-01-01 00:00:00' WHERE CardNumber = $n", ("$n", number)));
                break;
        }

        var before = (await _client.GetCardAsync(new GetCardRequest { CardNumber = number }, hr)).Card;
        Assert.Equal(state, before.State.ToString().ToUpperInvariant());

        var ex = await Assert.ThrowsAsync<RpcException>(() => Act(action, number));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains($"Card {number} is {state}", ex.Status.Detail);
        var info = ex.ErrorInfo();
        Assert.Equal("ILLEGAL_STATE_TRANSITION", info?.Reason);
        Assert.Equal(state, info?.Metadata["current_state"]);

        var after = (await _client.GetCardAsync(new GetCardRequest { CardNumber = number }, hr)).Card;
        Assert.Equal(before, after);
    }

    private async Task Act(string action, string number)
    {
        var hr = _system.AsHrOfficer();
        var id = SyntheticData.RequestId();
        switch (action)
        {
            case "renew": await _client.RenewCardAsync(new RenewCardRequest { RequestId = id, CardNumber = number }, hr); break;
            case "suspend": await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = id, CardNumber = number, Note = "again" }, hr); break;
            case "reinstate": await _client.ReinstateCardAsync(new ReinstateCardRequest { RequestId = id, CardNumber = number }, hr); break;
            case "revoke": await _client.RevokeCardAsync(new RevokeCardRequest { RequestId = id, CardNumber = number, Reason = RevocationReason.Deceased }, hr); break;
            case "reissue": await _client.ReissueCardAsync(new ReissueCardRequest { RequestId = id, CardNumber = number }, hr); break;
        }
    }

    [Fact]
    public async Task An_expired_card_can_be_renewed_and_is_active_again()
    {
        var hr = _system.AsHrOfficer();
        var number = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        RegistryCalls.Execute(_system, "UPDATE Cards SET ExpiresAt = '2020-01-01 00:00:00' WHERE CardNumber = $n", ("$n", number));
        Assert.Equal(CardState.Expired, (await _client.GetCardAsync(new GetCardRequest { CardNumber = number }, hr)).Card.State);
        var renewed = await _client.RenewCardAsync(new RenewCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number }, hr);
        Assert.Equal(CardState.Active, renewed.Card.State);
    }

    [Fact]
    public async Task Revocation_needs_a_reason_and_OTHER_needs_a_note()
    {
        var hr = _system.AsHrOfficer();
        var number = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await _client.RevokeCardAsync(
            new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number }, hr));
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Equal(["reason"], noReason.BadFields());
        var otherWithoutNote = await Assert.ThrowsAsync<RpcException>(async () => await _client.RevokeCardAsync(
            new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = number, Reason = RevocationReason.Other }, hr));
        Assert.Equal(["note"], otherWithoutNote.BadFields());
        Assert.Equal(CardState.Active, (await _client.GetCardAsync(new GetCardRequest { CardNumber = number }, hr)).Card.State);
    }

    [Fact]
    public async Task Dynamic_tokens_are_only_for_the_holders_own_active_card()
    {
        var hr = _system.AsHrOfficer();
        var mine = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        var other = (await _client.IssueCardAsync(_system)).Card.CardNumber;

        var denied = await Assert.ThrowsAsync<RpcException>(async () => await _client.IssueDynamicTokenAsync(
            new IssueDynamicTokenRequest { CardNumber = other }, _system.AsTalent(mine)));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = mine, Note = "check" }, hr);
        var suspended = await Assert.ThrowsAsync<RpcException>(async () => await _client.IssueDynamicTokenAsync(
            new IssueDynamicTokenRequest { CardNumber = mine }, _system.AsTalent(mine)));
        Assert.Equal(StatusCode.FailedPrecondition, suspended.StatusCode);
        Assert.Contains("SUSPENDED", suspended.Status.Detail);
    }

    [Fact]
    public async Task A_retried_request_id_returns_the_first_result_and_writes_one_event()
    {
        var hr = _system.AsHrOfficer();
        var talent = await _client.CreateTalentAsync(_system);
        var request = new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId };
        var first = await _client.IssueCardAsync(request, hr);
        var second = await _client.IssueCardAsync(request, hr);
        Assert.Equal(first.Card, second.Card);
        Assert.StartsWith("LCT1:", second.QrText); // signed afresh: the store keeps no token (IdempotencyStoreTests)

        var suspend = new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = first.Card.CardNumber, Note = "retry" };
        var s1 = await _client.SuspendCardAsync(suspend, hr);
        var s2 = await _client.SuspendCardAsync(suspend, hr);
        Assert.Equal(s1, s2);

        var events = (await _client.ReadHistoryAsync(_system)).Where(e => e.CardNumber == first.Card.CardNumber).ToList();
        Assert.Equal([CardEventType.Issued, CardEventType.Suspended], events.Select(e => e.Type));

        var talentRequest = new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = SyntheticData.NewTalent() };
        var t1 = await _client.CreateTalentAsync(talentRequest, hr);
        var t2 = await _client.CreateTalentAsync(talentRequest, hr);
        Assert.Equal(t1.Talent.TalentId, t2.Talent.TalentId);

        // The same id for a different request is a client bug, not a retry.
        var reused = await Assert.ThrowsAsync<RpcException>(async () => await _client.IssueCardAsync(
            new IssueCardRequest { RequestId = request.RequestId, TalentId = t1.Talent.TalentId }, hr));
        Assert.Equal(["request_id"], reused.BadFields());
    }

    [Fact]
    public async Task Concurrent_issues_give_one_card_per_talent_and_one_result_per_request_id()
    {
        var hr = _system.AsHrOfficer();
        var talent = await _client.CreateTalentAsync(_system);
        var same = new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId };
        var retries = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ => await _client.IssueCardAsync(same, hr)));
        Assert.Single(retries.Select(r => r.Card.CardNumber).Distinct());
        Assert.Single(retries.Select(r => r.Card).Distinct());
        Assert.All(retries, r => Assert.StartsWith("LCT1:", r.QrText)); // each signed afresh: the store keeps no token

        var other = await _client.CreateTalentAsync(_system);
        var racing = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            try
            {
                return (await _client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = other.TalentId }, hr)).Card.CardNumber;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
            {
                return null;
            }
        }));
        Assert.Single(racing, n => n is not null);
        var cards = await _client.ListCardsAsync(new ListCardsRequest { TalentId = other.TalentId }, hr);
        Assert.Single(cards.Cards);
        var events = (await _client.ReadHistoryAsync(_system)).Where(e => e.TalentId == talent.TalentId || e.TalentId == other.TalentId).ToList();
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task Key_rotation_keeps_tokens_of_the_old_key_verifying()
    {
        var hr = _system.AsHrOfficer();
        var before = await _client.IssueCardAsync(_system);
        var oldKid = (await _client.GetTrustListAsync(new GetTrustListRequest(), hr)).Keys.Single(k => k.Status == SigningKeyStatus.Active).Kid;

        var rotate = new RotateSigningKeyRequest { RequestId = SyntheticData.RequestId() };
        var rotated = await _client.RotateSigningKeyAsync(rotate, hr);
        Assert.Equal(rotated, await _client.RotateSigningKeyAsync(rotate, hr));
        Assert.Equal(oldKid, rotated.RetiredKey.Kid);
        Assert.Equal(SigningKeyStatus.Retired, rotated.RetiredKey.Status);
        Assert.NotNull(rotated.RetiredKey.ValidUntil);
        Assert.NotEqual(oldKid, rotated.ActiveKey.Kid);

        var after = await _client.IssueCardAsync(_system);
        var trust = await TrustListAsync();
        var verifier = new CardTokenVerifier(TimeProvider.System);
        var oldCheck = verifier.Verify(before.QrText, trust);
        var newCheck = verifier.Verify(after.QrText, trust);
        Assert.Equal(TokenOutcome.Valid, oldCheck.Outcome);
        Assert.Equal(oldKid, oldCheck.KidHex);
        Assert.Equal(TokenOutcome.Valid, newCheck.Outcome);
        Assert.Equal(rotated.ActiveKey.Kid, newCheck.KidHex);

        var list = await _client.GetTrustListAsync(new GetTrustListRequest(), _system.AsTalent(after.Card.CardNumber));
        Assert.Equal(rotated.ActiveKey.Kid, list.Keys[0].Kid);
        Assert.Equal("CN-371403-HRSS", list.Issuer);
    }

    [Fact]
    public async Task The_revocation_snapshot_is_signed_and_lists_revoked_suspended_and_reissued_cards()
    {
        var hr = _system.AsHrOfficer();
        var revoked = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        var suspended = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        var reissued = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        var plain = (await _client.IssueCardAsync(_system)).Card.CardNumber;
        await _client.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = revoked, Reason = RevocationReason.DataError }, hr);
        await _client.SuspendCardAsync(new SuspendCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = suspended, Note = "x" }, hr);
        var mid = await _client.ReissueCardAsync(new ReissueCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = reissued }, hr);

        var trust = await TrustListAsync();
        var full = await _client.GetRevocationSnapshotAsync(new GetRevocationSnapshotRequest(), _system.AsAgency("EDU"));
        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(full.Snapshot.ToByteArray(), trust, out var snapshot));
        Assert.False(snapshot!.IsDelta);
        Assert.Equal(full.Sequence, snapshot.Sequence);
        Assert.True(snapshot.TryGetEntry(revoked, out var r) && r.Status == RevocationStatus.Revoked);
        Assert.True(snapshot.TryGetEntry(suspended, out var s) && s.Status == RevocationStatus.Suspended);
        Assert.True(snapshot.TryGetEntry(reissued, out var v) && v.Status == RevocationStatus.Cleared && v.MinValidVersion == 2);
        Assert.False(snapshot.TryGetEntry(plain, out _));

        await _client.ReinstateCardAsync(new ReinstateCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = suspended }, hr);
        var delta = await _client.GetRevocationSnapshotAsync(new GetRevocationSnapshotRequest { SinceSequence = full.Sequence }, hr);
        Assert.True(delta.IsDelta);
        Assert.Equal(SnapshotOutcome.Valid, RevocationSnapshotCodec.TryVerify(delta.Snapshot.ToByteArray(), trust, out var deltaSnapshot));
        Assert.Equal([suspended], deltaSnapshot!.Entries.Select(e => e.CardNumber));
        var merged = snapshot.Apply(deltaSnapshot);
        Assert.False(merged.TryGetEntry(suspended, out _));
        Assert.True(mid.Card.LastEventSequence <= full.Sequence);
    }
}
