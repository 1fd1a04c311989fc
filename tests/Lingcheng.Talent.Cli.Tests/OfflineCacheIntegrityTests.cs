using System.Text.Json.Nodes;
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
/// The SDK's offline cache cannot be rolled back or tampered with (issue 25, Low): an older full
/// snapshot from the registry changes nothing, and a trust list or metadata edited on disk is refused.
/// </summary>
public sealed class OfflineCacheIntegrityTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly SigningKey _key;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "lct-offline-integrity-tests", Guid.NewGuid().ToString("N"));
    private readonly RollbackRegistry _registry;
    private readonly string _card = CardNumber.Create(26, 77);
    private readonly string _token;

    public OfflineCacheIntegrityTests()
    {
        _key = SigningKey.Generate(_time.GetUtcNow().AddDays(-1));
        _registry = new RollbackRegistry(_key, _time);
        _token = new CardTokenIssuer(_time).IssueStatic(_key, _card, 1, CardTier.B, "张*明", _time.GetUtcNow().AddYears(3));
    }

    private TalentRegistryService.TalentRegistryServiceClient Client => new(_registry);

    [Fact]
    public async Task An_older_full_snapshot_than_the_one_held_is_refused_and_the_card_stays_revoked()
    {
        var cache = new OfflineVerificationCache(_directory, _time);
        _registry.Revoke(_card, sequence: 42);
        var held = await cache.RefreshAsync(Client, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TokenOutcome.Revoked, cache.Verify(_token).Check.Outcome);

        _registry.ServeOnly(sequence: 30); // a genuine, correctly signed snapshot from before the revocation
        var after = await cache.RefreshAsync(Client, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(42, held.Sequence);
        Assert.Equal(42, after.Sequence);
        Assert.Equal(TokenOutcome.Revoked, new OfflineVerificationCache(_directory, _time).Verify(_token).Check.Outcome);
    }

    [Fact]
    public async Task A_trust_list_changed_on_disk_is_refused_rather_than_believed()
    {
        var cache = new OfflineVerificationCache(_directory, _time);
        await cache.RefreshAsync(Client, cancellationToken: TestContext.Current.CancellationToken);
        using var attacker = SigningKey.Generate(_time.GetUtcNow().AddDays(-1));
        var forged = new CardTokenIssuer(_time).IssueStatic(attacker, CardNumber.Create(26, 78), 1, CardTier.A, "李*华", _time.GetUtcNow().AddYears(3));
        var path = Path.Combine(_directory, "trust-list.pb");
        var list = GetTrustListResponse.Parser.ParseFrom(File.ReadAllBytes(path));
        list.Keys.Add(RollbackRegistry.Trusted(attacker));
        File.WriteAllBytes(path, list.ToByteArray());

        var ex = Assert.Throws<OfflineCacheException>(() => cache.Verify(forged));

        Assert.Contains("lct agency sync", ex.Message);
    }

    [Fact]
    public async Task Deltas_dropped_from_the_cache_on_disk_are_refused()
    {
        var cache = new OfflineVerificationCache(_directory, _time);
        await cache.RefreshAsync(Client, cancellationToken: TestContext.Current.CancellationToken);
        _registry.Revoke(_card, sequence: 9);
        await cache.RefreshAsync(Client, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(TokenOutcome.Revoked, cache.Verify(_token).Check.Outcome);

        // Roll the folder back to before the delta: the snapshot file is genuine, the metadata edited.
        var path = Path.Combine(_directory, "metadata.json");
        var metadata = JsonNode.Parse(File.ReadAllText(path))!;
        metadata["deltas"] = new JsonArray();
        metadata["sequence"] = metadata["full_snapshot_sequence"]!.GetValue<long>();
        File.WriteAllText(path, metadata.ToJsonString());

        Assert.Throws<OfflineCacheException>(() => cache.Verify(_token));
    }

    public void Dispose()
    {
        _key.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A registry stand-in that signs real snapshots, and can be made to serve only an older full one.</summary>
    private sealed class RollbackRegistry(SigningKey key, TimeProvider time) : CallInvoker
    {
        private readonly Dictionary<string, long> _revoked = [];
        private long _sequence = 5;
        private long? _only;

        public void Revoke(string card, long sequence)
        {
            _revoked[card] = sequence;
            _sequence = sequence;
        }

        public void ServeOnly(long sequence) => _only = sequence;

        public static V1.TrustedKey Trusted(SigningKey k) => new()
        {
            Kid = k.KidHex,
            SubjectPublicKeyInfo = ByteString.CopyFrom(k.SubjectPublicKeyInfo),
            ValidFrom = Timestamp.FromDateTimeOffset(k.ValidFrom),
            Status = SigningKeyStatus.Active,
        };

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            IMessage response = method.Name switch
            {
                "GetTrustList" => new GetTrustListResponse { Issuer = CardToken.Issuer, GenerateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Keys = { Trusted(key) } },
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

        private GetRevocationSnapshotResponse Snapshot(long since)
        {
            // Serving "only" an old sequence: a full snapshot of that moment, whatever was asked.
            var sequence = _only ?? _sequence;
            var delta = _only is null && since > 0;
            var entries = _revoked.Where(r => r.Value <= sequence && (!delta || r.Value > since))
                .Select(r => new RevocationEntry(r.Key, RevocationStatus.Revoked, 1));
            var snapshot = new RevocationSnapshot(CardToken.Issuer, sequence, time.GetUtcNow(), delta ? since : null, entries);
            return new GetRevocationSnapshotResponse
            {
                Snapshot = ByteString.CopyFrom(RevocationSnapshotCodec.Sign(key, snapshot)),
                Sequence = sequence,
                IsDelta = delta,
                GenerateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            };
        }
    }
}
