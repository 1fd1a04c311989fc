using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.V1;
using CardsTrustedKey = Lingcheng.Talent.Cards.TrustedKey;

namespace Lingcheng.Talent.Client.Offline;

/// <summary>What the offline cache holds, as written to <c>metadata.json</c>.</summary>
public sealed record OfflineCacheMetadata
{
    /// <summary>When the trust list and snapshot were last fetched successfully.</summary>
    public DateTimeOffset FetchedAt { get; init; }

    /// <summary>The card event sequence the cached revocation data reflects.</summary>
    public long Sequence { get; init; }

    /// <summary>When the registry produced the newest snapshot or delta applied.</summary>
    public DateTimeOffset SnapshotIssuedAt { get; init; }

    /// <summary>The sequence of the full snapshot in <c>snapshot.cose</c>.</summary>
    public long FullSnapshotSequence { get; init; }

    /// <summary>File names of the signed deltas applied on top of the full snapshot, oldest first.</summary>
    public IReadOnlyList<string> Deltas { get; init; } = [];

    /// <summary>The registry the data came from.</summary>
    public string? Registry { get; init; }

    /// <summary>Revoked and suspended cards (and re-issued ones) in the merged snapshot.</summary>
    public int Entries { get; init; }
}

/// <summary>The result of verifying a QR text offline.</summary>
/// <param name="Check">The outcome and the decoded claims.</param>
/// <param name="FetchedAt">When the cached data was fetched from the registry.</param>
/// <param name="SnapshotIssuedAt">When the registry produced the revocation data.</param>
/// <param name="Sequence">The card event sequence the revocation data reflects.</param>
/// <param name="Age">How old the cached data is (now − <paramref name="FetchedAt"/>).</param>
public sealed record OfflineVerification(TokenCheck Check, DateTimeOffset FetchedAt, DateTimeOffset SnapshotIssuedAt, long Sequence, TimeSpan Age);

/// <summary>Thrown when the offline cache is missing, unreadable or does not verify.</summary>
public sealed class OfflineCacheException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An agency's offline verifier (SPEC §4, §5.1): keeps the registry's trust list and signed
/// revocation snapshot in a folder, refreshes the snapshot with deltas, and verifies QR texts with
/// no network through <see cref="OfflineVerifier"/>.
/// <para>
/// Files: <c>trust-list.pb</c> (the <c>GetTrustListResponse</c>), <c>snapshot.cose</c> (the last
/// full signed snapshot), <c>delta-{sequence}.cose</c> (signed deltas since it, applied in order)
/// and <c>metadata.json</c> (fetch time, sequence). Everything signed is checked against the trust
/// list again each time it is loaded, so a tampered file is refused rather than believed.
/// </para>
/// </summary>
public sealed class OfflineVerificationCache(string directory, TimeProvider? timeProvider = null)
{
    /// <summary>After this many deltas, a refresh fetches a full snapshot instead.</summary>
    public const int MaxDeltas = 20;

    private const string TrustListFile = "trust-list.pb";
    private const string SnapshotFile = "snapshot.cose";
    private const string MetadataFile = "metadata.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The default folder: <c>LCT_OFFLINE_CACHE</c>, else <c>~/.local/share/lct/offline</c> (per-user application data).</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("LCT_OFFLINE_CACHE") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "lct", "offline");

    /// <summary>True when a trust list and a snapshot have been fetched into the folder.</summary>
    public bool Exists => File.Exists(Path.Combine(Directory, MetadataFile))
        && File.Exists(Path.Combine(Directory, TrustListFile))
        && File.Exists(Path.Combine(Directory, SnapshotFile));

    /// <summary>
    /// Fetches the trust list and brings the revocation data up to date: a delta since the cached
    /// sequence when there is cached data, else (or after a gap, or too many deltas) a full snapshot.
    /// </summary>
    public async Task<OfflineCacheMetadata> RefreshAsync(TalentRegistryService.TalentRegistryServiceClient registry, string? registryName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var trustResponse = await registry.GetTrustListAsync(new GetTrustListRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var trustList = ToTrustList(trustResponse);

        RevocationSnapshot? current = null;
        OfflineCacheMetadata? metadata = null;
        if (Exists)
        {
            try
            {
                (metadata, current) = LoadSnapshot(trustList);
            }
            catch (OfflineCacheException)
            {
                current = null; // unreadable or signed by a key no longer trusted: start again
                metadata = null;
            }
        }

        System.IO.Directory.CreateDirectory(Directory);
        if (current is not null && metadata is not null && metadata.Deltas.Count < MaxDeltas)
        {
            var response = await registry.GetRevocationSnapshotAsync(
                new GetRevocationSnapshotRequest { SinceSequence = current.Sequence }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var received = VerifySnapshot(response.Snapshot.ToByteArray(), trustList, "the revocation delta");
            try
            {
                var merged = current.Apply(received);
                var now = _time.GetUtcNow();
                if (!received.IsDelta)
                {
                    return SaveFull(trustResponse, response.Snapshot.ToByteArray(), received, now, registryName);
                }

                var deltas = metadata.Deltas.ToList();
                if (received.Sequence > current.Sequence)
                {
                    var name = $"delta-{received.Sequence}.cose";
                    await WriteAtomicallyAsync(name, response.Snapshot.ToByteArray(), cancellationToken).ConfigureAwait(false);
                    deltas.Add(name);
                }

                await WriteAtomicallyAsync(TrustListFile, trustResponse.ToByteArray(), cancellationToken).ConfigureAwait(false);
                var updated = metadata with
                {
                    FetchedAt = now,
                    Sequence = merged.Sequence,
                    SnapshotIssuedAt = received.Sequence > current.Sequence ? received.IssuedAt : metadata.SnapshotIssuedAt,
                    Deltas = deltas,
                    Registry = registryName ?? metadata.Registry,
                    Entries = merged.Entries.Count,
                };
                await WriteAtomicallyAsync(MetadataFile, JsonSerializer.SerializeToUtf8Bytes(updated, Json), cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (InvalidOperationException)
            {
                // A gap between the cached data and the delta: fall through to a full snapshot.
            }
        }

        var full = await registry.GetRevocationSnapshotAsync(new GetRevocationSnapshotRequest { SinceSequence = 0 }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fullBytes = full.Snapshot.ToByteArray();
        var snapshot = VerifySnapshot(fullBytes, trustList, "the revocation snapshot");
        if (snapshot.IsDelta)
        {
            throw new OfflineCacheException("The registry answered a full-snapshot request with a delta.");
        }

        return SaveFull(trustResponse, fullBytes, snapshot, _time.GetUtcNow(), registryName);
    }

    /// <summary>Reads the cached metadata, or null when nothing has been fetched.</summary>
    public OfflineCacheMetadata? ReadMetadata()
    {
        var path = Path.Combine(Directory, MetadataFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<OfflineCacheMetadata>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException ex)
        {
            throw new OfflineCacheException($"The offline cache's {MetadataFile} is unreadable; run `lct agency sync` again.", ex);
        }
    }

    /// <summary>Loads the cached trust list (checked for well-formed keys).</summary>
    public TrustList LoadTrustList()
    {
        var path = Path.Combine(Directory, TrustListFile);
        if (!File.Exists(path))
        {
            throw new OfflineCacheException($"No offline data in {Directory}: fetch it first (lct agency sync).");
        }

        try
        {
            return ToTrustList(GetTrustListResponse.Parser.ParseFrom(File.ReadAllBytes(path)));
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentException)
        {
            throw new OfflineCacheException($"The cached trust list in {Directory} is unreadable; fetch it again (lct agency sync).", ex);
        }
    }

    /// <summary>Verifies a QR text with the cached data only, and says how old that data is.</summary>
    public OfflineVerification Verify(string? qrText, CardTokenVerifierOptions? options = null)
    {
        var trustList = LoadTrustList();
        var (metadata, snapshot) = LoadSnapshot(trustList);
        var check = new OfflineVerifier(_time, options).Verify(qrText, trustList, snapshot);
        var now = _time.GetUtcNow();
        return new OfflineVerification(check, metadata.FetchedAt, snapshot.IssuedAt, snapshot.Sequence, now - metadata.FetchedAt);
    }

    /// <summary>Converts the registry's trust list into the card library's.</summary>
    public static TrustList ToTrustList(GetTrustListResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new TrustList(response.Keys.Select(k => new CardsTrustedKey(
            k.SubjectPublicKeyInfo.Span,
            k.ValidFrom?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch,
            k.ValidUntil?.ToDateTimeOffset(),
            k.Status switch
            {
                SigningKeyStatus.Retired => TrustedKeyStatus.Retired,
                SigningKeyStatus.Revoked => TrustedKeyStatus.Revoked,
                _ => TrustedKeyStatus.Active,
            })));
    }

    private (OfflineCacheMetadata Metadata, RevocationSnapshot Snapshot) LoadSnapshot(TrustList trustList)
    {
        var metadata = ReadMetadata() ?? throw new OfflineCacheException($"No offline data in {Directory}: fetch it first (lct agency sync).");
        var snapshot = VerifySnapshot(ReadFile(SnapshotFile), trustList, "the cached revocation snapshot");
        foreach (var delta in metadata.Deltas)
        {
            var applied = VerifySnapshot(ReadFile(delta), trustList, $"the cached delta {delta}");
            try
            {
                snapshot = snapshot.Apply(applied);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                throw new OfflineCacheException($"The cached delta {delta} does not continue the snapshot; fetch again (lct agency sync).", ex);
            }
        }

        return (metadata, snapshot);
    }

    private byte[] ReadFile(string name)
    {
        var path = Path.Combine(Directory, name);
        return File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new OfflineCacheException($"The offline cache misses {name}; fetch it again (lct agency sync).");
    }

    private static RevocationSnapshot VerifySnapshot(byte[] cose, TrustList trustList, string what)
    {
        var outcome = RevocationSnapshotCodec.TryVerify(cose, trustList, out var snapshot);
        return outcome == SnapshotOutcome.Valid && snapshot is not null
            ? snapshot
            : throw new OfflineCacheException($"{char.ToUpperInvariant(what[0])}{what[1..]} does not verify ({outcome}); fetch it again (lct agency sync).");
    }

    private OfflineCacheMetadata SaveFull(GetTrustListResponse trust, byte[] cose, RevocationSnapshot snapshot, DateTimeOffset now, string? registryName)
    {
        foreach (var old in System.IO.Directory.EnumerateFiles(Directory, "delta-*.cose"))
        {
            File.Delete(old);
        }

        WriteAtomically(TrustListFile, trust.ToByteArray());
        WriteAtomically(SnapshotFile, cose);
        var metadata = new OfflineCacheMetadata
        {
            FetchedAt = now,
            Sequence = snapshot.Sequence,
            SnapshotIssuedAt = snapshot.IssuedAt,
            FullSnapshotSequence = snapshot.Sequence,
            Deltas = [],
            Registry = registryName,
            Entries = snapshot.Entries.Count,
        };
        WriteAtomically(MetadataFile, JsonSerializer.SerializeToUtf8Bytes(metadata, Json));
        return metadata;
    }

    private Task WriteAtomicallyAsync(string name, byte[] content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WriteAtomically(name, content);
        return Task.CompletedTask;
    }

    private void WriteAtomically(string name, byte[] content)
    {
        // Write then rename, so a verifier never reads a half-written file.
        var path = Path.Combine(Directory, name);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
