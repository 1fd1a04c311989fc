using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Client.Offline;
using Lingcheng.Talent.V1;
using Microsoft.Extensions.Time.Testing;
using CardTier = Lingcheng.Talent.Cards.Tier;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// The SDK's offline verifier against a registry stand-in that signs real snapshots and deltas
/// with the card library: full fetch, delta refresh, reading the folder back with no network.
/// </summary>
public sealed class OfflineVerificationCacheTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly SigningKey _key;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "lct-offline-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeRegistry _registry;

    public OfflineVerificationCacheTests()
    {
        _key = SigningKey.Generate(_time.GetUtcNow().AddDays(-1));
        _registry = new FakeRegistry(_key, _time);
    }

    [Fact]
    public async Task A_card_revoked_after_the_first_fetch_is_revoked_offline_after_a_delta_refresh_and_the_age_is_reported()
    {
        var card = CardNumber.Create(26, 42);
        var token = new CardTokenIssuer(_time).IssueStatic(_key, card, 1, CardTier.B, "张*明", _time.GetUtcNow().AddYears(3));
        var cache = new OfflineVerificationCache(_directory, _time);
        var client = new TalentRegistryService.TalentRegistryServiceClient(_registry);

        await cache.RefreshAsync(client, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TokenOutcome.Valid, cache.Verify(token).Check.Outcome);

        _registry.Change(card, RevocationStatus.Revoked, 1);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TokenOutcome.Valid, cache.Verify(token).Check.Outcome); // not refreshed yet

        var metadata = await cache.RefreshAsync(client, cancellationToken: TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(1, _registry.DeltaRequests);
        Assert.Single(metadata.Deltas);
        // Read back by a fresh instance, as a later process with no network would.
        var result = new OfflineVerificationCache(_directory, _time).Verify(token);
        Assert.Equal(TokenOutcome.Revoked, result.Check.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(10), result.Age);
        Assert.Equal(_registry.Sequence, result.Sequence);
    }

    [Fact]
    public async Task A_revoked_signing_key_is_refused_offline_after_the_next_sync_even_for_a_back_dated_token()
    {
        var card = CardNumber.Create(26, 43);
        var token = new CardTokenIssuer(_time).IssueStatic(_key, card, 1, CardTier.B, "张*明", _time.GetUtcNow().AddYears(3));
        var cache = new OfflineVerificationCache(_directory, _time);
        var client = new TalentRegistryService.TalentRegistryServiceClient(_registry);
        await cache.RefreshAsync(client, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TokenOutcome.Valid, cache.Verify(token).Check.Outcome);

        // The key leaks and HR revokes it: the registry lists it REVOKED and a new key signs from now on.
        _time.Advance(TimeSpan.FromMinutes(1));
        using var next = SigningKey.Generate(_time.GetUtcNow());
        _registry.NextKey = next;
        _registry.KeyStatus = SigningKeyStatus.Revoked;
        _registry.KeyValidUntil = _time.GetUtcNow();
        _registry.Change(CardNumber.Create(26, 44), RevocationStatus.Revoked, 1);
        var forged = new CardTokenIssuer(new FakeTimeProvider(_time.GetUtcNow().AddSeconds(-30))).IssueStatic(_key, CardNumber.Create(26, 45), 1, CardTier.A, "李*", _time.GetUtcNow().AddYears(5));
        Assert.Equal(TokenOutcome.Valid, cache.Verify(forged).Check.Outcome); // offline learns at its next sync, not before

        await cache.RefreshAsync(client, cancellationToken: TestContext.Current.CancellationToken);
        var reread = new OfflineVerificationCache(_directory, _time); // a later process, no network
        Assert.Equal(TokenOutcome.UnknownKey, reread.Verify(token).Check.Outcome);
        Assert.Equal(TokenOutcome.UnknownKey, reread.Verify(forged).Check.Outcome);
        Assert.Equal(TokenOutcome.Valid, reread.Verify(new CardTokenIssuer(_time).IssueStatic(next, card, 1, CardTier.B, "张*明", _time.GetUtcNow().AddYears(3))).Check.Outcome);
    }

    [Fact]
    public async Task A_retired_key_is_trusted_offline_only_until_the_latest_expiry_it_signed()
    {
        var card = CardNumber.Create(26, 46);
        var expires = _time.GetUtcNow().AddYears(2);
        var token = new CardTokenIssuer(_time).IssueStatic(_key, card, 1, CardTier.B, "张*明", expires);
        _time.Advance(TimeSpan.FromMinutes(1));
        using var next = SigningKey.Generate(_time.GetUtcNow());
        _registry.NextKey = next;
        _registry.KeyStatus = SigningKeyStatus.Retired;
        _registry.KeyValidUntil = _time.GetUtcNow();
        _registry.KeyTrustedUntil = expires;
        var cache = new OfflineVerificationCache(_directory, _time);
        await cache.RefreshAsync(new TalentRegistryService.TalentRegistryServiceClient(_registry), cancellationToken: TestContext.Current.CancellationToken);

        // A back-dated token of the retired key that outlives what it signed is not believed; the genuine one is.
        var forged = new CardTokenIssuer(new FakeTimeProvider(_time.GetUtcNow().AddSeconds(-30))).IssueStatic(_key, CardNumber.Create(26, 47), 1, CardTier.A, "李*", _time.GetUtcNow().AddYears(9));
        Assert.Equal(TokenOutcome.UnknownKey, cache.Verify(forged).Check.Outcome);
        Assert.Equal(TokenOutcome.Valid, cache.Verify(token).Check.Outcome);
    }

    [Fact]
    public async Task A_tampered_cached_snapshot_is_refused_rather_than_believed()
    {
        var cache = new OfflineVerificationCache(_directory, _time);
        await cache.RefreshAsync(new TalentRegistryService.TalentRegistryServiceClient(_registry), cancellationToken: TestContext.Current.CancellationToken);
        var path = Path.Combine(_directory, "snapshot.cose");
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<OfflineCacheException>(() => cache.Verify("LCT1:ABC"));
        Assert.Contains("does not verify", ex.Message);
    }

    [Fact]
    public void Verifying_with_no_fetched_data_says_to_sync_first()
    {
        var ex = Assert.Throws<OfflineCacheException>(() => new OfflineVerificationCache(_directory, _time).Verify("LCT1:ABC"));
        Assert.Contains("lct agency sync", ex.Message);
    }

    public void Dispose()
    {
        _key.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Answers GetTrustList and GetRevocationSnapshot like the registry, from an in-memory card state list.</summary>
    private sealed class FakeRegistry(SigningKey key, TimeProvider time) : CallInvoker
    {
        private readonly List<(long Sequence, RevocationEntry Entry)> _changes = [];

        public long Sequence { get; private set; } = 5;

        public int DeltaRequests { get; private set; }

        /// <summary>The first key's status in the trust list (a key revocation sets REVOKED).</summary>
        public SigningKeyStatus KeyStatus { get; set; } = SigningKeyStatus.Active;

        /// <summary>The first key's validity end and trust end, once retired.</summary>
        public DateTimeOffset? KeyValidUntil { get; set; }

        public DateTimeOffset? KeyTrustedUntil { get; set; }

        /// <summary>The key that took over (it signs the snapshots from then on), if any.</summary>
        public SigningKey? NextKey { get; set; }

        public void Change(string card, RevocationStatus status, int version) => _changes.Add((++Sequence, new RevocationEntry(card, status, version)));

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            IMessage response = method.Name switch
            {
                "GetTrustList" => TrustList(),
                "GetRevocationSnapshot" => Snapshot(((GetRevocationSnapshotRequest)(object)request).SinceSequence),
                _ => throw new RpcException(new Status(StatusCode.Unimplemented, method.Name)),
            };
            return new AsyncUnaryCall<TResponse>(Task.FromResult((TResponse)response), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        private GetTrustListResponse TrustList()
        {
            var first = new V1.TrustedKey
            {
                Kid = key.KidHex,
                SubjectPublicKeyInfo = ByteString.CopyFrom(key.SubjectPublicKeyInfo),
                ValidFrom = Timestamp.FromDateTimeOffset(key.ValidFrom),
                Status = KeyStatus,
            };
            if (KeyValidUntil is { } until)
            {
                first.ValidUntil = Timestamp.FromDateTimeOffset(until);
            }

            if (KeyTrustedUntil is { } trustedUntil)
            {
                first.TrustedUntil = Timestamp.FromDateTimeOffset(trustedUntil);
            }

            var response = new GetTrustListResponse { Issuer = CardToken.Issuer, GenerateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
            if (NextKey is { } next)
            {
                response.Keys.Add(new V1.TrustedKey
                {
                    Kid = next.KidHex,
                    SubjectPublicKeyInfo = ByteString.CopyFrom(next.SubjectPublicKeyInfo),
                    ValidFrom = Timestamp.FromDateTimeOffset(next.ValidFrom),
                    Status = SigningKeyStatus.Active,
                });
            }

            response.Keys.Add(first);
            return response;
        }

        private GetRevocationSnapshotResponse Snapshot(long since)
        {
            if (since > 0)
            {
                DeltaRequests++;
            }

            var latest = _changes.Where(c => c.Sequence > since).GroupBy(c => c.Entry.CardNumber).Select(g => g.Last().Entry).ToList();
            var snapshot = new RevocationSnapshot(CardToken.Issuer, Sequence, time.GetUtcNow(), since > 0 ? since : null,
                since > 0 ? latest : latest.Where(e => e.Status != RevocationStatus.Cleared || e.MinValidVersion > 1));
            return new GetRevocationSnapshotResponse
            {
                Snapshot = ByteString.CopyFrom(RevocationSnapshotCodec.Sign(NextKey ?? key, snapshot)),
                Sequence = Sequence,
                IsDelta = since > 0,
                GenerateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            };
        }
    }
}
