using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Registry.Cards;
using Lingcheng.Talent.Registry.Data;
using Lingcheng.Talent.Registry.Events;
using Lingcheng.Talent.Registry.Protection;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.ServiceDefaults.Errors;
using Lingcheng.Talent.ServiceDefaults.Hosting;
using Lingcheng.Talent.ServiceDefaults.Paging;
using Lingcheng.Talent.V1;
using Microsoft.EntityFrameworkCore;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Registry.Talents;

/// <summary>
/// Registering, reading, listing and changing talents (SPEC §3.1). Document and phone numbers
/// are encrypted before they reach the database, found through the blind index, and shown only
/// to hr_officer; the idempotency store keeps neither (see <see cref="IdempotencyView"/>).
/// </summary>
public sealed class TalentDirectory(
    TalentRegistryDbContext db,
    PersonalDataProtector protector,
    CommitSignal signal,
    TimeProvider time,
    WriteGate gate)
{
    private const string DocumentIndexPurpose = "document";

    /// <summary>Fields UpdateTalent may change (snake_case names, as in a FieldMask).</summary>
    public static readonly IReadOnlySet<string> WritableFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "full_name", "gender", "document_type", "document_number", "nationality", "mobile_phone",
        "employer_name", "employer_credit_code", "tier", "programme", "photo", "photo_content_type",
    };

    public async Task<CreateTalentResponse> CreateAsync(CreateTalentRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        v.RequestId(request.RequestId);
        if (!v.Check(request.Talent is not null, "talent", "is required"))
        {
            v.ThrowIfAny();
        }

        var talent = request.Talent!.Clone();
        TalentRules.Normalize(talent);
        AddProblems(v, talent);
        v.ThrowIfAny();

        var index = DocumentIndex(talent.DocumentType, talent.DocumentNumber);
        if (request.ValidateOnly)
        {
            if (await db.Talents.AsNoTracking().AnyAsync(t => t.DocumentBlindIndex == index, cancellationToken))
            {
                throw RpcErrors.AlreadyExists("TALENT_ALREADY_EXISTS", "A talent with this identity document is already registered.");
            }

            talent.Photo = Google.Protobuf.ByteString.Empty; // nothing to echo back
            return new CreateTalentResponse { Talent = talent };
        }

        var view = IdempotencyView(request);
        var stored = await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            if (await Idempotency.FindAsync<CreateTalentResponse>(db, "CreateTalent", request.RequestId, view, ct) is { } first)
            {
                return first;
            }

            if (await db.Talents.AnyAsync(t => t.DocumentBlindIndex == index, ct))
            {
                throw RpcErrors.AlreadyExists("TALENT_ALREADY_EXISTS", "A talent with this identity document is already registered.");
            }

            var now = time.GetUtcNow();
            var talentId = "T" + Guid.CreateVersion7(now).ToString("N").ToUpperInvariant();
            var entity = new TalentEntity
            {
                TalentId = talentId,
                FullName = talent.FullName,
                Gender = (int)talent.Gender,
                DocumentType = (int)talent.DocumentType,
                DocumentNumberCipher = protector.Encrypt(talent.DocumentNumber, talentId + "/document_number"),
                DocumentBlindIndex = index,
                Nationality = talent.Nationality,
                MobilePhoneCipher = protector.Encrypt(talent.MobilePhone, talentId + "/mobile_phone"),
                EmployerName = talent.EmployerName,
                EmployerCreditCode = talent.EmployerCreditCode,
                Tier = (int)talent.Tier,
                Programme = talent.Programme,
                Photo = talent.Photo.Length > 0 ? talent.Photo.ToByteArray() : null,
                PhotoContentType = talent.Photo.Length > 0 ? talent.PhotoContentType : null,
                CreatedAt = now.UtcDateTime,
                UpdatedAt = now.UtcDateTime,
            };
            db.Talents.Add(entity);
            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, "CreateTalent", talentId, "OK",
                $"tier {talent.Tier}"), now, ct);

            // Only the id is kept for retries: the response is rebuilt from the row, so the
            // idempotency table never holds personal data.
            var result = new CreateTalentResponse { Talent = new V1.Talent { TalentId = talentId } };
            Idempotency.Add(db, "CreateTalent", request.RequestId, view, result, now);
            return result;
        }, cancellationToken), cancellationToken);

        return new CreateTalentResponse { Talent = await LoadAsync(stored.Talent.TalentId, caller, includePhoto: true, cancellationToken) };
    }

    public async Task<GetTalentResponse> GetAsync(GetTalentRequest request, Caller caller, CancellationToken cancellationToken)
    {
        if (!TalentIds.IsWellFormed(request.TalentId))
        {
            throw RpcErrors.InvalidArgument("talent_id", TalentIds.Requirement);
        }

        if (caller.Role == Roles.Talent
            && !await db.Cards.AnyAsync(c => c.CardNumber == caller.Card && c.TalentId == request.TalentId, cancellationToken))
        {
            throw RpcErrors.PermissionDenied("NOT_OWN_RECORD", "A talent may only read their own record.");
        }

        var talent = await LoadAsync(request.TalentId, caller, request.IncludePhoto, cancellationToken);
        if (caller.IsHrOfficer)
        {
            await AuditReadAsync(caller, [request.TalentId], "GetTalent", talent.Photo.IsEmpty ? "unmasked" : "unmasked, with photo", cancellationToken);
        }

        return new GetTalentResponse { Talent = talent };
    }

    public async Task<ListTalentsResponse> ListAsync(ListTalentsRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        var size = PageTokens.Size(request.PageSize, v);
        v.Check(System.Enum.IsDefined(request.Tier), "tier", "is not a tier");
        v.Check(System.Enum.IsDefined(request.CardState), "card_state", "is not a card state");
        v.Check(request.EmployerName.Length <= 200, "employer_name", "must be at most 200 characters");
        v.Check(request.NamePrefix.Length <= TalentRules.MaxNameLength, "name_prefix", "must be at most 64 characters");
        v.Check(request.DocumentNumber.Length <= 64, "document_number", "must be at most 64 characters");
        v.ThrowIfAny();
        if (!caller.IsHrOfficer)
        {
            // Masked results matched against clear text would unmask by probing: personal filters are hr_officer's.
            if (request.NamePrefix.Length > 0)
            {
                throw PersonalDataFilter("name_prefix", "Only HR officers may filter talents by name (name_prefix).");
            }

            if (request.DocumentNumber.Length > 0)
            {
                throw PersonalDataFilter("document_number", "Only HR officers may search by identity-document number (document_number).");
            }
        }

        var filters = $"talents|{request.Tier}|{request.EmployerName}|{request.NamePrefix}|{request.CardState}|{request.DocumentNumber}";
        var after = PageTokens.Parse(request.PageToken, "talents", filters) is { } token
            ? long.TryParse(token, out var id) ? id : throw RpcErrors.InvalidArgument("page_token", "is malformed")
            : 0L;
        var now = time.GetUtcNow().UtcDateTime;

        var query = db.Talents.AsNoTracking().Where(t => t.Id > after);
        if (request.Tier != Tier.Unspecified)
        {
            query = query.Where(t => t.Tier == (int)request.Tier);
        }

        if (!string.IsNullOrEmpty(request.EmployerName))
        {
            query = query.Where(t => t.EmployerName.Contains(request.EmployerName));
        }

        if (!string.IsNullOrEmpty(request.NamePrefix))
        {
            query = query.Where(t => t.FullName.StartsWith(request.NamePrefix));
        }

        if (!string.IsNullOrEmpty(request.DocumentNumber))
        {
            // The keyed hash of the number under each document type, each an indexed lookup.
            var holders = new List<long>();
            foreach (var type in System.Enum.GetValues<IdentityDocumentType>().Where(t => t != IdentityDocumentType.Unspecified))
            {
                var index = DocumentIndex(type, request.DocumentNumber.Trim());
                holders.AddRange(await db.Talents.AsNoTracking().Where(t => t.DocumentBlindIndex == index).Select(t => t.Id).ToListAsync(cancellationToken));
            }

            query = query.Where(t => holders.Contains(t.Id));
        }

        if (request.CardState != CardState.Unspecified)
        {
            var matching = CardLifecycle.WhereState(db.Cards, request.CardState, now).Select(c => c.TalentId);
            query = query.Where(t => matching.Contains(t.TalentId));
            if (request.CardState == CardState.Revoked)
            {
                var current = db.Cards.Where(c => c.State != (int)CardState.Revoked).Select(c => c.TalentId);
                query = query.Where(t => !current.Contains(t.TalentId));
            }
        }

        var page = await query.OrderBy(t => t.Id).Take(size + 1).ToListAsync(cancellationToken);
        var shown = page.Take(size).ToList();
        var ids = shown.Select(t => t.TalentId).ToList();
        var cards = await db.Cards.AsNoTracking()
            .Where(c => ids.Contains(c.TalentId) && c.State != (int)CardState.Revoked)
            .ToDictionaryAsync(c => c.TalentId, cancellationToken);

        var response = new ListTalentsResponse();
        response.Talents.AddRange(shown.Select(t => ToProto(t, caller.IsHrOfficer, includePhoto: false, cards.GetValueOrDefault(t.TalentId), now)));
        if (page.Count > size)
        {
            response.NextPageToken = PageTokens.Create("talents", filters, shown[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (caller.IsHrOfficer && ids.Count > 0)
        {
            // Which filters were used, never their values (a document number or a name is personal data).
            string[] used =
            [
                .. request.Tier != Tier.Unspecified ? ["tier"] : Array.Empty<string>(),
                .. request.EmployerName.Length > 0 ? ["employer_name"] : Array.Empty<string>(),
                .. request.NamePrefix.Length > 0 ? ["name_prefix"] : Array.Empty<string>(),
                .. request.DocumentNumber.Length > 0 ? ["document_number"] : Array.Empty<string>(),
                .. request.CardState != CardState.Unspecified ? ["card_state"] : Array.Empty<string>(),
            ];
            await AuditReadAsync(caller, ids, "ListTalents",
                $"unmasked, page of {ids.Count}; filters: {(used.Length == 0 ? "none" : string.Join(",", used))}", cancellationToken);
        }

        return response;
    }

    public async Task<UpdateTalentResponse> UpdateAsync(UpdateTalentRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var v = new FieldViolations();
        v.RequestId(request.RequestId);
        if (!v.Check(request.Talent is not null && TalentIds.IsWellFormed(request.Talent.TalentId), "talent.talent_id", TalentIds.Requirement))
        {
            v.ThrowIfAny();
        }

        var paths = request.UpdateMask?.Paths.ToList() ?? [];
        foreach (var path in paths.Where(p => !WritableFields.Contains(p)))
        {
            // Never echo a path that is not field-shaped: a huge one would overflow the response headers.
            v.Add("update_mask", $"{Echo.Quote(path)} is not a writable talent field");
        }

        v.ThrowIfAny();
        var fields = paths.Count == 0 ? WritableFields.ToHashSet() : paths.ToHashSet(StringComparer.Ordinal);
        if (fields.Contains("photo") || fields.Contains("photo_content_type"))
        {
            fields.Add("photo");
            fields.Add("photo_content_type");
        }

        var view = IdempotencyView(request);
        var talentId = request.Talent!.TalentId;
        await gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            if (await Idempotency.FindAsync<UpdateTalentResponse>(db, "UpdateTalent", request.RequestId, view, ct) is { } first)
            {
                return first;
            }

            var entity = await db.Talents.SingleOrDefaultAsync(t => t.TalentId == talentId, ct) ?? throw RpcErrors.NotFound("Talent", talentId);
            var merged = ToProto(entity, reveal: true, includePhoto: true, card: null, DateTime.UtcNow);
            Apply(request.Talent, merged, fields);
            TalentRules.Normalize(merged);
            var violations = new FieldViolations();
            AddProblems(violations, merged);
            violations.ThrowIfAny();

            var index = DocumentIndex(merged.DocumentType, merged.DocumentNumber);
            if (!index.AsSpan().SequenceEqual(entity.DocumentBlindIndex)
                && await db.Talents.AnyAsync(t => t.DocumentBlindIndex == index && t.TalentId != talentId, ct))
            {
                throw RpcErrors.AlreadyExists("TALENT_ALREADY_EXISTS", "Another talent with this identity document is already registered.");
            }

            var now = time.GetUtcNow();
            var oldTier = entity.Tier;
            var oldDisplayName = Masking.Name(entity.FullName);
            entity.FullName = merged.FullName;
            entity.Gender = (int)merged.Gender;
            entity.DocumentType = (int)merged.DocumentType;
            entity.DocumentNumberCipher = protector.Encrypt(merged.DocumentNumber, talentId + "/document_number");
            entity.DocumentBlindIndex = index;
            entity.Nationality = merged.Nationality;
            entity.MobilePhoneCipher = protector.Encrypt(merged.MobilePhone, talentId + "/mobile_phone");
            entity.EmployerName = merged.EmployerName;
            entity.EmployerCreditCode = merged.EmployerCreditCode;
            entity.Tier = (int)merged.Tier;
            entity.Programme = merged.Programme;
            entity.Photo = merged.Photo.Length > 0 ? merged.Photo.ToByteArray() : null;
            entity.PhotoContentType = merged.Photo.Length > 0 ? merged.PhotoContentType : null;
            entity.UpdatedAt = now.UtcDateTime;

            var displayName = Masking.Name(entity.FullName);
            if (entity.Tier != oldTier || displayName != oldDisplayName)
            {
                // The card carries tier and masked name (and so do its events): tell the consumers.
                var card = await db.Cards.SingleOrDefaultAsync(c => c.TalentId == talentId && c.State != (int)CardState.Revoked, ct);
                if (card is not null)
                {
                    card.Tier = entity.Tier;
                    card.HolderDisplayName = displayName;
                    card.UpdatedAt = now.UtcDateTime;
                    await CardLifecycle.AppendEventAsync(db, card, CardEventType.HolderUpdated, now, ct);
                }
            }

            await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, "UpdateTalent", talentId, "OK",
                "fields: " + string.Join(",", fields.Order(StringComparer.Ordinal))), now, ct);
            var result = new UpdateTalentResponse { Talent = new V1.Talent { TalentId = talentId } };
            Idempotency.Add(db, "UpdateTalent", request.RequestId, view, result, now);
            return result;
        }, cancellationToken), cancellationToken);

        signal.Notify();
        return new UpdateTalentResponse { Talent = await LoadAsync(talentId, caller, includePhoto: true, cancellationToken) };
    }

    /// <summary>
    /// Records that hr_officer saw these talents unmasked (PIPL: who read whose personal data, when):
    /// one audit record per talent, so "who has seen this talent" is one indexed lookup by target.
    /// The data is returned only once the records are committed.
    /// </summary>
    private Task AuditReadAsync(Caller caller, IReadOnlyList<string> talentIds, string action, string detail, CancellationToken cancellationToken) =>
        gate.RunAsync(() => WriteTransactions.RunAsync(db, async ct =>
        {
            var now = time.GetUtcNow();
            foreach (var talentId in talentIds)
            {
                await AuditChain.AppendAsync(db, new AuditEntry(caller.AuditPrincipal, caller.Agency, action, talentId, "OK", detail), now, ct);
            }

            return talentIds.Count;
        }, cancellationToken), cancellationToken);

    private static RpcException PersonalDataFilter(string field, string message)
    {
        var info = new Google.Rpc.ErrorInfo { Reason = "PERSONAL_DATA_FILTER", Domain = RpcErrors.Domain };
        info.Metadata.Add("field", field);
        return new Google.Rpc.Status
        {
            Code = (int)Google.Rpc.Code.PermissionDenied,
            Message = message,
            Details = { Any.Pack(info) },
        }.ToRpcException();
    }

    private async Task<V1.Talent> LoadAsync(string talentId, Caller caller, bool includePhoto, CancellationToken cancellationToken)
    {
        var entity = await db.Talents.AsNoTracking().SingleOrDefaultAsync(t => t.TalentId == talentId, cancellationToken)
            ?? throw RpcErrors.NotFound("Talent", talentId);
        var card = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.TalentId == talentId && c.State != (int)CardState.Revoked, cancellationToken);
        // Photos are not masked but withheld from auditors: an auditor checks records, not faces.
        return ToProto(entity, caller.IsHrOfficer, includePhoto && caller.Role != Roles.Auditor, card, time.GetUtcNow().UtcDateTime);
    }

    private V1.Talent ToProto(TalentEntity t, bool reveal, bool includePhoto, CardEntity? card, DateTime now)
    {
        var document = protector.Decrypt(t.DocumentNumberCipher, t.TalentId + "/document_number");
        var phone = protector.Decrypt(t.MobilePhoneCipher, t.TalentId + "/mobile_phone");
        var proto = new V1.Talent
        {
            TalentId = t.TalentId,
            FullName = reveal ? t.FullName : Masking.Name(t.FullName),
            Gender = (Gender)t.Gender,
            DocumentType = (IdentityDocumentType)t.DocumentType,
            DocumentNumber = reveal ? document : Masking.DocumentNumber(document),
            Nationality = t.Nationality,
            MobilePhone = reveal ? phone : Masking.Phone(phone),
            EmployerName = t.EmployerName,
            EmployerCreditCode = t.EmployerCreditCode,
            Tier = (Tier)t.Tier,
            Programme = t.Programme,
            CreateTime = Timestamp.FromDateTime(t.CreatedAt),
            UpdateTime = Timestamp.FromDateTime(t.UpdatedAt),
        };
        if (includePhoto && t.Photo is not null)
        {
            proto.Photo = ByteString.CopyFrom(t.Photo);
            proto.PhotoContentType = t.PhotoContentType ?? "";
        }

        if (card is not null)
        {
            proto.CardNumber = card.CardNumber;
            proto.CardState = CardStates.Effective(card, now);
        }

        return proto;
    }

    private static void Apply(V1.Talent source, V1.Talent target, HashSet<string> fields)
    {
        foreach (var field in fields)
        {
            switch (field)
            {
                case "full_name": target.FullName = source.FullName; break;
                case "gender": target.Gender = source.Gender; break;
                case "document_type": target.DocumentType = source.DocumentType; break;
                case "document_number": target.DocumentNumber = source.DocumentNumber; break;
                case "nationality": target.Nationality = source.Nationality; break;
                case "mobile_phone": target.MobilePhone = source.MobilePhone; break;
                case "employer_name": target.EmployerName = source.EmployerName; break;
                case "employer_credit_code": target.EmployerCreditCode = source.EmployerCreditCode; break;
                case "tier": target.Tier = source.Tier; break;
                case "programme": target.Programme = source.Programme; break;
                case "photo": target.Photo = source.Photo; break;
                case "photo_content_type": target.PhotoContentType = source.PhotoContentType; break;
            }
        }
    }

    private byte[] DocumentIndex(IdentityDocumentType type, string number) =>
        protector.BlindIndex(DocumentIndexPurpose, $"{(int)type}:{IdentityNumbers.Normalize(number)}");

    /// <summary>
    /// The request as the idempotency store hashes it: document and phone numbers replaced by
    /// their keyed hashes, so that the stored request hash cannot be brute-forced back to them.
    /// </summary>
    private IMessage IdempotencyView<T>(T request)
        where T : IMessage<T>
    {
        var copy = request.Clone();
        var talent = copy switch
        {
            CreateTalentRequest c => c.Talent,
            UpdateTalentRequest u => u.Talent,
            _ => null,
        };
        if (talent is not null)
        {
            talent.DocumentNumber = Convert.ToHexStringLower(protector.BlindIndex("request-document", talent.DocumentNumber));
            talent.MobilePhone = Convert.ToHexStringLower(protector.BlindIndex("request-phone", talent.MobilePhone));
        }

        return copy;
    }

    /// <summary>The rules' problems of <paramref name="talent"/> as field violations named <c>talent.&lt;field&gt;</c>.</summary>
    private void AddProblems(FieldViolations v, V1.Talent talent)
    {
        foreach (var problem in TalentRules.Validate(talent, time.GetUtcNow()))
        {
            v.Add("talent." + problem.Field, problem.Description);
        }
    }
}
