using Google.Protobuf.WellKnownTypes;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Protection;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Registry.Keys;

/// <summary>
/// The signing key ring, kept in the registry database (private keys AES-GCM-wrapped under a key
/// derived from the master key) so that every replica signs with the same active key. On first
/// use it generates a key, or imports <c>Registry:SigningKeyFile</c> when configured. The active
/// key is cached and re-read every 30 s, so a rotation on one replica reaches the others.
/// </summary>
public sealed class KeyRing(
    IDbContextFactory<TalentRegistryDbContext> contexts,
    PersonalDataProtector protector,
    TimeProvider time,
    IOptions<RegistryOptions> options,
    ILogger<KeyRing> logger,
    WriteGate gate) : IDisposable
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Loaded? _loaded;

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
            var key = SigningKey.FromPkcs8Pem(protector.UnwrapSigningKey(entity.PrivateKeyCipher, entity.Kid), entity.ValidFrom, null);
            _loaded = new Loaded(key, time.GetUtcNow());
            // The previous key object may still be in use by a concurrent signer; it is left to the GC.
            return key;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The trust list: the active key first, then retired keys whose tokens may still be valid.</summary>
    public async Task<GetTrustListResponse> GetTrustListAsync(CancellationToken cancellationToken)
    {
        await GetActiveKeyAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var keys = await db.SigningKeys.AsNoTracking()
            .Where(k => k.Status == (int)SigningKeyStatus.Active || k.TrustedUntil == null || k.TrustedUntil > now)
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
            Retire(current, now.UtcDateTime);
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
        logger.LogInformation("Signing key rotated; active kid {Kid}", response.ActiveKey.Kid);
        return response;
    }

    /// <summary>Creates the first key (or imports the configured one) when needed.</summary>
    private async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var file = options.Value.SigningKeyFile;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow();
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
                    Retire(active, now.UtcDateTime);
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
    }

    private void Retire(SigningKeyEntity key, DateTime now)
    {
        key.Status = (int)SigningKeyStatus.Retired;
        key.ValidUntil = now;
        // A static token signed just before rotation lives as long as the longest card validity.
        key.TrustedUntil = now.AddMonths(options.Value.MaxCardValidityMonths);
    }

    private SigningKeyEntity NewEntity(SigningKey key, string origin, DateTime now) => new()
    {
        Kid = key.KidHex,
        SubjectPublicKeyInfo = key.SubjectPublicKeyInfo,
        PrivateKeyCipher = protector.WrapSigningKey(key.ExportPkcs8Pem(), key.KidHex),
        Status = (int)SigningKeyStatus.Active,
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

        return proto;
    }

    public void Dispose() => _gate.Dispose();
}
