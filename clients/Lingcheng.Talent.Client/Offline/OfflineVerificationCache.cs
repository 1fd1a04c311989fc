using System.Security.Cryptography;
using System.Text;
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
/// <para>
/// The trust list and the metadata are not signed by the registry, so the cache seals them itself:
/// <c>seal.mac</c> is an HMAC-SHA256 of both under a per-user key kept outside the folder
/// (<see cref="DefaultIntegrityKeyFile"/>). A trust list with a key added on disk, or metadata that
/// drops deltas, is refused; and the snapshot and deltas must add up to the sealed sequence.
/// </para>
/// <para>
/// No rollback: a refresh that receives a full snapshot older than the one held (a replayed
/// snapshot, a lagging replica) keeps the held one, as docs/card-token.md §10 requires.
/// </para>
/// </summary>
/// <param name="directory">The cache folder.</param>
/// <param name="timeProvider">The clock (default: the system clock).</param>
/// <param name="integrityKeyFile">The file holding the sealing key (default <see cref="DefaultIntegrityKeyFile"/>); created, mode 0600, when missing.</param>
public sealed class OfflineVerificationCache(string directory, TimeProvider? timeProvider = null, string? integrityKeyFile = null)
{
    /// <summary>After this many deltas, a refresh fetches a full snapshot instead.</summary>
    public const int MaxDeltas = 20;

    private const string TrustListFile = "trust-list.pb";
    private const string SnapshotFile = "snapshot.cose";
    private const string MetadataFile = "metadata.json";
    private const string SealFile = "seal.mac";
    private static readonly byte[] SealContext = "lct-offline-cache/v1"u8.ToArray();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lazy<byte[]> _sealKey = new(() => LoadOrCreateKey(integrityKeyFile ?? DefaultIntegrityKeyFile));

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The default folder: <c>LCT_OFFLINE_CACHE</c>, else <c>~/.local/share/lct/offline</c> (per-user application data).</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable("LCT_OFFLINE_CACHE") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "lct", "offline");

    /// <summary>
    /// The sealing key's default file: <c>LCT_OFFLINE_CACHE_KEY</c>, else <c>~/.local/share/lct/offline-cache.key</c>
    /// (per-user application data), outside the cache folder so that whoever can write the folder cannot re-seal it.
    /// </summary>
    public static string DefaultIntegrityKeyFile =>
        Environment.GetEnvironmentVariable("LCT_OFFLINE_CACHE_KEY") is { Length: > 0 } file
            ? file
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "lct", "offline-cache.key");

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
                    return received.Sequence < current.Sequence
                        ? KeepHeld(trustResponse, metadata, registryName)
                        : SaveFull(trustResponse, response.Snapshot.ToByteArray(), received, now, registryName);
                }

                var deltas = metadata.Deltas.ToList();
                if (received.Sequence > current.Sequence)
                {
                    var name = $"delta-{received.Sequence}.cose";
                    await WriteAtomicallyAsync(name, response.Snapshot.ToByteArray(), cancellationToken).ConfigureAwait(false);
                    deltas.Add(name);
                }

                var updated = metadata with
                {
                    FetchedAt = now,
                    Sequence = merged.Sequence,
                    SnapshotIssuedAt = received.Sequence > current.Sequence ? received.IssuedAt : metadata.SnapshotIssuedAt,
                    Deltas = deltas,
                    Registry = registryName ?? metadata.Registry,
                    Entries = merged.Entries.Count,
                };
                cancellationToken.ThrowIfCancellationRequested();
                WriteSealed(trustResponse.ToByteArray(), JsonSerializer.SerializeToUtf8Bytes(updated, Json));
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

        if (current is not null && metadata is not null && snapshot.Sequence < current.Sequence)
        {
            return KeepHeld(trustResponse, metadata, registryName);
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
        var (trust, _) = ReadSealed();
        try
        {
            return ToTrustList(GetTrustListResponse.Parser.ParseFrom(trust));
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
            })
        {
            // A retired key is trusted only until the latest expiry it signed, offline too.
            TrustedUntil = k.TrustedUntil?.ToDateTimeOffset(),
        }));
    }

    private (OfflineCacheMetadata Metadata, RevocationSnapshot Snapshot) LoadSnapshot(TrustList trustList)
    {
        var (_, sealedMetadata) = ReadSealed();
        OfflineCacheMetadata metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<OfflineCacheMetadata>(sealedMetadata, Json)
                ?? throw new OfflineCacheException($"The offline cache's {MetadataFile} is empty; run `lct agency sync` again.");
        }
        catch (JsonException ex)
        {
            throw new OfflineCacheException($"The offline cache's {MetadataFile} is unreadable; run `lct agency sync` again.", ex);
        }

        var snapshot = VerifySnapshot(ReadFile(SnapshotFile), trustList, "the cached revocation snapshot");
        if (snapshot.Sequence != metadata.FullSnapshotSequence)
        {
            throw new OfflineCacheException($"The cached revocation snapshot is not the one the cache recorded (sequence {snapshot.Sequence}, not {metadata.FullSnapshotSequence}); fetch again (lct agency sync).");
        }

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

        if (snapshot.Sequence != metadata.Sequence)
        {
            throw new OfflineCacheException($"The cached revocation data reach sequence {snapshot.Sequence}, not the recorded {metadata.Sequence}; fetch again (lct agency sync).");
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
        WriteSealed(trust.ToByteArray(), JsonSerializer.SerializeToUtf8Bytes(metadata, Json));
        return metadata;
    }

    /// <summary>
    /// The registry offered revocation data older than the data held: keep the held data (and its
    /// fetch time, as nothing newer arrived), take the new trust list.
    /// </summary>
    private OfflineCacheMetadata KeepHeld(GetTrustListResponse trust, OfflineCacheMetadata held, string? registryName)
    {
        var kept = held with { Registry = registryName ?? held.Registry };
        WriteSealed(trust.ToByteArray(), JsonSerializer.SerializeToUtf8Bytes(kept, Json));
        return kept;
    }

    /// <summary>Writes the trust list and the metadata, then their seal (last, so a half-done write never verifies).</summary>
    private void WriteSealed(byte[] trust, byte[] metadata)
    {
        WriteAtomically(TrustListFile, trust);
        WriteAtomically(MetadataFile, metadata);
        WriteAtomically(SealFile, Seal(trust, metadata));
    }

    /// <summary>Reads the trust list and the metadata, refusing them unless the seal matches.</summary>
    private (byte[] Trust, byte[] Metadata) ReadSealed()
    {
        if (!File.Exists(Path.Combine(Directory, TrustListFile)) || !File.Exists(Path.Combine(Directory, MetadataFile)))
        {
            throw new OfflineCacheException($"No offline data in {Directory}: fetch it first (lct agency sync).");
        }

        var trust = ReadFile(TrustListFile);
        var metadata = ReadFile(MetadataFile);
        var seal = File.Exists(Path.Combine(Directory, SealFile)) ? File.ReadAllBytes(Path.Combine(Directory, SealFile)) : [];
        if (!CryptographicOperations.FixedTimeEquals(seal, Seal(trust, metadata)))
        {
            throw new OfflineCacheException(
                $"The offline cache in {Directory} was changed after it was fetched (or by another user or SDK version): its trust list or metadata does not match its seal. Fetch it again (lct agency sync).");
        }

        return (trust, metadata);
    }

    private byte[] Seal(byte[] trust, byte[] metadata)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _sealKey.Value);
        Span<byte> length = stackalloc byte[8];
        hmac.AppendData(SealContext);
        foreach (var part in new[] { trust, metadata })
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(length, part.Length);
            hmac.AppendData(length);
            hmac.AppendData(part);
        }

        return hmac.GetHashAndReset();
    }

    /// <summary>Reads the sealing key, or creates it (32 random bytes, base64, mode 0600 in a 0700 folder on Unix).</summary>
    private static byte[] LoadOrCreateKey(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                var key = Convert.FromBase64String(File.ReadAllText(path, Encoding.ASCII).Trim());
                return key.Length >= 32 ? key : throw new OfflineCacheException($"The offline cache key {path} is shorter than 32 bytes; delete it and fetch again (lct agency sync).");
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            else
            {
                System.IO.Directory.CreateDirectory(folder);
            }

            var created = RandomNumberGenerator.GetBytes(32);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(created)));
                return created;
            }
            catch (IOException) when (File.Exists(path))
            {
                return LoadOrCreateKey(path); // another process created it first
            }
        }
        catch (Exception ex) when (ex is FormatException or UnauthorizedAccessException or IOException)
        {
            throw new OfflineCacheException($"The offline cache key {path} cannot be read or created ({ex.GetType().Name}); check its permissions, or set LCT_OFFLINE_CACHE_KEY.", ex);
        }
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
