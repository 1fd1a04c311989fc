using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Registry.Keys;

/// <summary>
/// The signing key ring, kept in the registry database (private keys AES-GCM-wrapped under the
/// signing-key KEK, <see cref="SigningKeyProtector"/>) so that every replica signs with the same
/// active key. On first use it generates a key, or imports <c>Registry:SigningKeyFile</c> when
/// configured, and re-wraps keys stored under the personal-data key before the KEK existed. The
/// active key is cached and re-read every 30 s, so a rotation on one replica reaches the others.
/// A retired key is trusted until the latest expiry it signed (<see cref="SignedTokenEntity"/>);
/// a revoked key is listed REVOKED for good (§ issue 25: a leaked key can be distrusted).
/// </summary>
public sealed class KeyRing(
    IDbContextFactory<TalentRegistryDbContext> contexts,
    SigningKeyProtector protector,
    TimeProvider time,
    IOptions<RegistryOptions> options,
    ILogger<KeyRing> logger,
    WriteGate gate,
    CommitSignal signal) : IDisposable
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    /// <summary>What a kid field must be.</summary>
    public const string KidRequirement = "must be a key id: 16 lower-case hex characters (see `lct admin keys list`)";

    /// <summary>True for a well-formed kid (16 lower-case hex characters).</summary>
    public static bool IsKid(string? value) => value is { Length: 16 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Loaded? _loaded;
    private bool _upgraded;

    private sealed record Loaded(SigningKey Active, DateTimeOffset LoadedAt);

    /// <summary>The key that signs now.</summary>
    public async ValueTask<SigningKey> GetActiveKeyAsync(CancellationToken cancellationToken)
    {
        var loaded = _loaded;
        if (loaded is not null && time.GetUtcNow() - loaded.LoadedAt < CacheLifetime)
        {
            return loaded.Active;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            loaded = _loaded;
            if (loaded is not null && time.GetUtcNow() - loaded.LoadedAt < CacheLifetime)
            {
                return loaded.Active;
            }

            await EnsureAsync(cancellationToken);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var entity = await db.SigningKeys.AsNoTracking().SingleAsync(k => k.Status == (int)SigningKeyStatus.Active, cancellationToken);
            var key = SigningKey.FromPkcs8Pem(protector.Unwrap(entity.PrivateKeyCipher, entity.Kid), entity.ValidFrom, null);
            _loaded = new Loaded(key, time.GetUtcNow());
            // The previous key object may still be in use by a concurrent signer; it is left to the GC.
            return key;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The trust list: the active key first, then retired keys whose tokens may still be valid (until
    /// their trusted_until), then every revoked key — kept for good, so that a verifier holding an
    /// older list learns that the key is distrusted rather than merely gone.
    /// </summary>
    public async Task<GetTrustListResponse> GetTrustListAsync(CancellationToken cancellationToken)
    {
        await GetActiveKeyAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var keys = await db.SigningKeys.AsNoTracking()
            .Where(k => k.Status == (int)SigningKeyStatus.Active || k.Status == (int)SigningKeyStatus.Revoked
                || k.TrustedUntil == null || k.TrustedUntil > now)
            .ToListAsync(cancellationToken);
        var response = new GetTrustListResponse { Issuer = CardToken.Issuer, GenerateTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
        response.Keys.AddRange(keys.OrderBy(k => k.Status).ThenByDescending(k => k.ValidFrom).Select(ToProto));
        return response;
    }

    /// <summary>Makes a new key active and retires the current one, in the caller's write transaction.</summary>
    public async Task<RotateSigningKeyResponse> RotateAsync(TalentRegistryDbContext db, RotateSigningKeyRequest request, Caller caller, CancellationToken cancellationToken)
    {
        await GetActiveKeyAsync(cancellationToken);
        var response = await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            if (await Idempotency.FindAsync<RotateSigningKeyResponse>(db, "RotateSigningKey", request.RequestId, request, ct) is { } first)
            {
                return first;
            }

            var now = time.GetUtcNow();
            var current = await db.SigningKeys.SingleAsync(k => k.Status == (int)SigningKeyStatus.Active, ct);
            await RetireAsync(db, current, now.UtcDateTime, ct);
            using var fresh = SigningKey.Generate(now);
            var added = NewEntity(fresh, "generated", now.UtcDateTime);
            db.SigningKeys.Add(added);
            var result = new RotateSigningKeyResponse { ActiveKey = ToProto(added), RetiredKey = ToProto(current) };
            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, "RotateSigningKey", added.Kid, "OK",
                $"retired {current.Kid}"), now, ct);
            Idempotency.Add(db, "RotateSigningKey", request.RequestId, request, result, now);
            return result;
        }, cancellationToken), cancellationToken);

        _loaded = null;
        signal.Notify(); // the feed tells the verifiers the trust list changed
        logger.LogInformation("Signing key rotated; active kid {Kid}", response.ActiveKey.Kid);
        return response;
    }

    /// <summary>
    /// Revokes a key (active or retired) in the caller's write transaction: REVOKED in the trust list
    /// for good, the reason audited. Revoking the active key first makes a newly generated key active,
    /// so signing goes on. Counts the cards in force whose static token the key signed (to re-print).
    /// A key already revoked is FAILED_PRECONDITION (KEY_ALREADY_REVOKED); an unknown kid NOT_FOUND.
    /// </summary>
    public async Task<RevokeSigningKeyResponse> RevokeAsync(TalentRegistryDbContext db, RevokeSigningKeyRequest request, Caller caller, CancellationToken cancellationToken)
    {
        await GetActiveKeyAsync(cancellationToken);
        var response = await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            if (await Idempotency.FindAsync<RevokeSigningKeyResponse>(db, "RevokeSigningKey", request.RequestId, request, ct) is { } first)
            {
                return first;
            }

            var now = time.GetUtcNow();
            var key = await db.SigningKeys.SingleOrDefaultAsync(k => k.Kid == request.Kid, ct) ?? throw RpcErrors.NotFound("Signing key", request.Kid);
            if (key.Status == (int)SigningKeyStatus.Revoked)
            {
                throw RpcErrors.FailedPrecondition("KEY_ALREADY_REVOKED", $"Signing key {key.Kid} is already revoked.");
            }

            SigningKeyEntity active;
            if (key.Status == (int)SigningKeyStatus.Active)
            {
                using var fresh = SigningKey.Generate(now);
                active = NewEntity(fresh, "generated", now.UtcDateTime);
                db.SigningKeys.Add(active);
                key.ValidUntil = now.UtcDateTime;
            }
            else
            {
                active = await db.SigningKeys.SingleAsync(k => k.Status == (int)SigningKeyStatus.Active, ct);
            }

            key.Status = (int)SigningKeyStatus.Revoked;
            key.RevokedAt = now.UtcDateTime;
            key.RevocationNote = request.Reason.Trim();
            key.TrustedUntil = null;
            var reprint = await CardsSignedBy(db, key, now.UtcDateTime).CountAsync(ct);
            var result = new RevokeSigningKeyResponse { RevokedKey = ToProto(key), ActiveKey = ToProto(active), CardsToReprint = reprint };
            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, "RevokeSigningKey", key.Kid, "OK",
                $"reason: {key.RevocationNote}; active {active.Kid}; {reprint} cards to re-print"), now, ct);
            Idempotency.Add(db, "RevokeSigningKey", request.RequestId, request, result, now);
            return result;
        }, cancellationToken), cancellationToken);

        _loaded = null;
        signal.Notify(); // wakes the feed streams: every verifier fetches the trust list at once
        logger.LogWarning("Signing key {Kid} revoked; active kid {Active}; {Count} cards to re-print",
            response.RevokedKey.Kid, response.ActiveKey.Kid, response.CardsToReprint);
        return response;
    }

    /// <summary>
    /// The cards in force (not revoked, not expired) at their current version whose static token
    /// <paramref name="key"/> signed: those recorded in <see cref="SignedTokenEntity"/>, and for a key
    /// from before that record (<see cref="SigningKeyEntity.SignaturesRecorded"/> false) every card
    /// issued while it was active.
    /// </summary>
    public static IQueryable<CardEntity> CardsSignedBy(TalentRegistryDbContext db, SigningKeyEntity key, DateTime now)
    {
        var kid = key.Kid;
        var inForce = db.Cards.Where(c => c.State != (int)CardState.Revoked && c.ExpiresAt > now);
        if (key.SignaturesRecorded)
        {
            return inForce.Where(c => db.SignedTokens.Any(t => t.Kid == kid && t.CardNumber == c.CardNumber && t.CardVersion == c.Version));
        }

        var until = key.ValidUntil ?? now;
        return inForce.Where(c => c.IssuedAt <= until
            || db.SignedTokens.Any(t => t.Kid == kid && t.CardNumber == c.CardNumber && t.CardVersion == c.Version));
    }

    /// <summary>
    /// Records, in the caller's transaction, that <paramref name="kid"/> signed a static token of the
    /// card (version, expiry). When the key has been retired meanwhile (another replica rotated while
    /// this one still held it), its trust end moves out to this expiry so the token keeps verifying.
    /// </summary>
    public static async Task RecordStaticTokenAsync(TalentRegistryDbContext db, string kid, CardEntity card, DateTime now, CancellationToken ct)
    {
        var row = db.SignedTokens.Local.FirstOrDefault(t => t.Kid == kid && t.CardNumber == card.CardNumber)
            ?? await db.SignedTokens.SingleOrDefaultAsync(t => t.Kid == kid && t.CardNumber == card.CardNumber, ct);
        if (row is null)
        {
            db.SignedTokens.Add(new SignedTokenEntity { Kid = kid, CardNumber = card.CardNumber, CardVersion = card.Version, ExpiresAt = card.ExpiresAt, LastSignedAt = now });
        }
        else
        {
            row.CardVersion = Math.Max(row.CardVersion, card.Version);
            row.ExpiresAt = row.ExpiresAt > card.ExpiresAt ? row.ExpiresAt : card.ExpiresAt;
            row.LastSignedAt = now;
        }

        var expires = card.ExpiresAt;
        var retired = await db.SigningKeys.SingleOrDefaultAsync(k => k.Kid == kid && k.Status == (int)SigningKeyStatus.Retired, ct);
        if (retired is not null && (retired.TrustedUntil is null || retired.TrustedUntil < expires))
        {
            retired.TrustedUntil = expires;
        }
    }

    /// <summary>Creates the first key (or imports the configured one) when needed.</summary>
    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var file = options.Value.SigningKeyFile;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow();
            if (!_upgraded)
            {
                await UpgradeAsync(db, ct);
            }

            var active = await db.SigningKeys.SingleOrDefaultAsync(k => k.Status == (int)SigningKeyStatus.Active, ct);
            if (!string.IsNullOrEmpty(file))
            {
                using var imported = SigningKey.FromPkcs8Pem(await File.ReadAllTextAsync(file, ct), now, null);
                if (await db.SigningKeys.AnyAsync(k => k.Kid == imported.KidHex, ct))
                {
                    return 0;
                }

                if (active is not null)
                {
                    await RetireAsync(db, active, now.UtcDateTime, ct);
                }

                db.SigningKeys.Add(NewEntity(imported, "imported", now.UtcDateTime));
                await AuditChain.AppendAsync(db, new AuditEntry("system:registry", null, "ImportSigningKey", imported.KidHex, "OK"), now, ct);
                logger.LogInformation("Imported the signing key from the configured file; kid {Kid}", imported.KidHex);
                return 1;
            }

            if (active is not null)
            {
                return 0;
            }

            using var generated = SigningKey.Generate(now);
            db.SigningKeys.Add(NewEntity(generated, "generated", now.UtcDateTime));
            await AuditChain.AppendAsync(db, new AuditEntry("system:registry", null, "GenerateSigningKey", generated.KidHex, "OK"), now, ct);
            logger.LogInformation("Generated the first signing key; kid {Kid}", generated.KidHex);
            return 1;
        }, cancellationToken), cancellationToken);
        _upgraded = true;
    }

    private async Task RetireAsync(TalentRegistryDbContext db, SigningKeyEntity key, DateTime now, CancellationToken ct)
    {
        key.Status = (int)SigningKeyStatus.Retired;
        key.ValidUntil = now;
        key.TrustedUntil = await TrustEndAsync(db, key, ct);
    }

    /// <summary>
    /// How long a retired key stays trusted: the latest expiry it signed — its last dynamic token
    /// (retirement + the dynamic lifetime) or a static token recorded in <see cref="SignedTokenEntity"/>;
    /// for a key from before that record, the latest expiry of the cards issued while it was active.
    /// </summary>
    private async Task<DateTime> TrustEndAsync(TalentRegistryDbContext db, SigningKeyEntity key, CancellationToken ct)
    {
        var until = key.ValidUntil ?? time.GetUtcNow().UtcDateTime;
        var end = until.AddSeconds(Math.Ceiling((double)Math.Max(1, options.Value.DynamicTokenSeconds)) + 1);
        var kid = key.Kid;
        var recorded = await db.SignedTokens.Where(t => t.Kid == kid).MaxAsync(t => (DateTime?)t.ExpiresAt, ct);
        if (recorded > end)
        {
            end = recorded.Value;
        }

        var pending = db.SignedTokens.Local.Where(t => t.Kid == kid).Select(t => (DateTime?)t.ExpiresAt).Max();
        if (pending > end)
        {
            end = pending.Value;
        }

        if (!key.SignaturesRecorded)
        {
            var cards = await db.Cards.Where(c => c.IssuedAt <= until).MaxAsync(c => (DateTime?)c.ExpiresAt, ct);
            if (cards > end)
            {
                end = cards.Value;
            }
        }

        return end;
    }

    /// <summary>
    /// Once per process: re-wraps keys still under the personal-data key (before the signing-key KEK)
    /// and tightens the trust of keys retired before the trust end was the latest expiry they signed.
    /// </summary>
    private async Task UpgradeAsync(TalentRegistryDbContext db, CancellationToken ct)
    {
        var rows = await db.SigningKeys.ToListAsync(ct);
        var rewrapped = 0;
        foreach (var row in rows.Where(r => SigningKeyProtector.IsLegacy(r.PrivateKeyCipher)))
        {
            row.PrivateKeyCipher = protector.Wrap(protector.Unwrap(row.PrivateKeyCipher, row.Kid), row.Kid);
            rewrapped++;
        }

        var tightened = 0;
        foreach (var row in rows.Where(r => r.Status == (int)SigningKeyStatus.Retired && !r.SignaturesRecorded))
        {
            var end = await TrustEndAsync(db, row, ct);
            if (row.TrustedUntil is null || end < row.TrustedUntil)
            {
                row.TrustedUntil = end;
                tightened++;
            }
        }

        if (rewrapped > 0)
        {
            await AuditChain.AppendAsync(db, new AuditEntry("system:registry", null, "RewrapSigningKeys", "signing-keys", "OK",
                $"{rewrapped} keys re-wrapped under the signing-key KEK"), time.GetUtcNow(), ct);
            logger.LogInformation("Re-wrapped {Count} signing keys under the signing-key KEK", rewrapped);
        }

        if (tightened > 0)
        {
            logger.LogInformation("Trust of {Count} retired signing keys now ends at the latest expiry they signed", tightened);
        }
    }

    private SigningKeyEntity NewEntity(SigningKey key, string origin, DateTime now) => new()
    {
        Kid = key.KidHex,
        SubjectPublicKeyInfo = key.SubjectPublicKeyInfo,
        PrivateKeyCipher = protector.Wrap(key.ExportPkcs8Pem(), key.KidHex),
        Status = (int)SigningKeyStatus.Active,
        SignaturesRecorded = true,
        ValidFrom = key.ValidFrom.UtcDateTime,
        Origin = origin,
        CreatedAt = now,
    };

    private static V1.TrustedKey ToProto(SigningKeyEntity k)
    {
        var proto = new V1.TrustedKey
        {
            Kid = k.Kid,
            SubjectPublicKeyInfo = Google.Protobuf.ByteString.CopyFrom(k.SubjectPublicKeyInfo),
            ValidFrom = Timestamp.FromDateTime(k.ValidFrom),
            Status = (SigningKeyStatus)k.Status,
        };
        if (k.ValidUntil is { } until)
        {
            proto.ValidUntil = Timestamp.FromDateTime(until);
        }

        if (k.Status == (int)SigningKeyStatus.Retired && k.TrustedUntil is { } trustedUntil)
        {
            proto.TrustedUntil = Timestamp.FromDateTime(trustedUntil);
        }

        return proto;
    }

    public void Dispose() => _gate.Dispose();
}
