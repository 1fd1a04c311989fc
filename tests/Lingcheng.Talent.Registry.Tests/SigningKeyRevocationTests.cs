using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>One registry of its own: these tests rotate and revoke keys, which the shared registry's tests must not see.</summary>
public sealed class KeyRevocationFixture : IAsyncLifetime
{
    public TalentSystem System { get; private set; } = null!;

    public TalentRegistryService.TalentRegistryServiceClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        System = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: RegistryFixture.Settings);
        Client = new TalentRegistryService.TalentRegistryServiceClient(System.Registry!.Channel);
    }

    public async ValueTask DisposeAsync() => await System.DisposeAsync();
}

[CollectionDefinition("key-revocation")]
public sealed class KeyRevocationCollection : ICollectionFixture<KeyRevocationFixture>;

/// <summary>
/// Issue 25 item 1: a leaked signing key can be distrusted. RevokeSigningKey is an HR officer's, audited,
/// refuses bad input naming the field, leaves the key REVOKED in the trust list, and reports the cards
/// to re-print; a retired key is trusted only until the latest expiry it signed.
/// </summary>
[Collection("key-revocation")]
public sealed class SigningKeyRevocationTests(KeyRevocationFixture fixture)
{
    private TalentSystem System => fixture.System;

    private TalentRegistryService.TalentRegistryServiceClient Client => fixture.Client;

    private async Task<string> ActiveKidAsync() =>
        (await Client.GetTrustListAsync(new GetTrustListRequest(), System.AsHrOfficer())).Keys.Single(k => k.Status == SigningKeyStatus.Active).Kid;

    private static RevokeSigningKeyRequest Revoke(string kid, string reason = "private key leaked (test)") =>
        new() { RequestId = SyntheticData.RequestId(), Kid = kid, Reason = reason };

    [Fact]
    public async Task Only_an_hr_officer_may_revoke_a_key_and_nothing_changes_for_the_others()
    {
        var kid = await ActiveKidAsync();
        foreach (var caller in new[] { System.AsAuditor(), System.AsService(), System.AsAgency("HOSP_PEOPLE"), System.AsTalent("LC260000016") })
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await Client.RevokeSigningKeyAsync(Revoke(kid), caller));
            Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        }

        var unauthenticated = await Assert.ThrowsAsync<RpcException>(async () => await Client.RevokeSigningKeyAsync(Revoke(kid)));
        Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);
        Assert.Equal(kid, await ActiveKidAsync());
    }

    [Theory]
    [InlineData("", "kid")]
    [InlineData("F4F7BB7953286E15", "kid")] // upper case: kids are lower-case hex
    [InlineData("f4f7bb7953286e1", "kid")]
    [InlineData("f4f7bb7953286e15'; DROP TABLE SigningKeys; --", "kid")]
    [InlineData("zzzzzzzzzzzzzzzz", "kid")]
    public async Task A_malformed_kid_is_invalid_argument_naming_kid(string kid, string field)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Client.RevokeSigningKeyAsync(Revoke(kid), System.AsHrOfficer()));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal([field], ex.BadFields());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("leaked\u0001")]
    public async Task A_missing_or_bad_reason_is_invalid_argument_naming_reason(string reason)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.RevokeSigningKeyAsync(Revoke(await ActiveKidAsync(), reason), System.AsHrOfficer()));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["reason"], ex.BadFields());
    }

    [Fact]
    public async Task An_unknown_kid_is_not_found_and_changes_nothing()
    {
        var before = await Client.GetTrustListAsync(new GetTrustListRequest(), System.AsHrOfficer());
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Client.RevokeSigningKeyAsync(Revoke("0123456789abcdef"), System.AsHrOfficer()));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal(before.Keys, (await Client.GetTrustListAsync(new GetTrustListRequest(), System.AsHrOfficer())).Keys);
    }

    [Fact]
    public async Task Revoking_a_retired_key_lists_it_revoked_reports_the_cards_to_reprint_and_is_audited()
    {
        // Card A is issued (and its QR printed) under key 1; then key 2 takes over and card B is issued under it.
        var a = await Client.IssueCardAsync(System);
        var rotation = await Client.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = SyntheticData.RequestId() }, System.AsHrOfficer());
        var leaked = rotation.RetiredKey.Kid;
        var b = await Client.IssueCardAsync(System);
        var revokedBefore = await Client.IssueCardAsync(System);
        await Client.RevokeCardAsync(new RevokeCardRequest { RequestId = SyntheticData.RequestId(), CardNumber = revokedBefore.Card.CardNumber, Reason = RevocationReason.DataError }, System.AsHrOfficer());

        var request = Revoke(leaked);
        var response = await Client.RevokeSigningKeyAsync(request, System.AsHrOfficer());
        Assert.Equal(response, await Client.RevokeSigningKeyAsync(request, System.AsHrOfficer())); // a retry changes nothing
        Assert.Equal(leaked, response.RevokedKey.Kid);
        Assert.Equal(SigningKeyStatus.Revoked, response.RevokedKey.Status);
        Assert.Equal(rotation.ActiveKey.Kid, response.ActiveKey.Kid); // a retired key: the active one stays

        // The trust list keeps the key, REVOKED, and no trust end (nothing it signed is trusted).
        var trust = await Client.GetTrustListAsync(new GetTrustListRequest(), System.AsAgency("HOSP_PEOPLE"));
        var listed = trust.Keys.Single(k => k.Kid == leaked);
        Assert.Equal(SigningKeyStatus.Revoked, listed.Status);
        Assert.Null(listed.TrustedUntil);
        Assert.Equal(rotation.ActiveKey.Kid, trust.Keys[0].Kid);

        // The reprint report: card A (and any card of this registry issued before the rotation), never card B.
        var report = await ListAllAsync(new ListCardsRequest { SignedByKid = leaked });
        Assert.Contains(a.Card.CardNumber, report);
        Assert.DoesNotContain(b.Card.CardNumber, report);
        Assert.DoesNotContain(revokedBefore.Card.CardNumber, report);
        Assert.Equal(response.CardsToReprint, report.Count);
        Assert.DoesNotContain(a.Card.CardNumber, await ListAllAsync(new ListCardsRequest { SignedByKid = rotation.ActiveKey.Kid }));

        // Re-printing A signs it with the active key: it joins that key's list (and stays on the revoked key's
        // list, since the old print is still out there).
        var reprinted = await Client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = a.Card.CardNumber }, System.AsHrOfficer());
        Assert.NotEmpty(reprinted.QrText);
        Assert.Contains(a.Card.CardNumber, await ListAllAsync(new ListCardsRequest { SignedByKid = rotation.ActiveKey.Kid }));

        // Revoked is final.
        var again = await Assert.ThrowsAsync<RpcException>(async () => await Client.RevokeSigningKeyAsync(Revoke(leaked), System.AsHrOfficer()));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Equal("KEY_ALREADY_REVOKED", again.ErrorInfo()?.Reason);

        // Audited: who, which key, why, and how many cards.
        using var connection = RegistryCalls.OpenDatabase(System);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Principal, Detail FROM AuditRecords WHERE Action = 'RevokeSigningKey' AND Target = $kid";
        command.Parameters.AddWithValue("$kid", leaked);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), "no audit record of the revocation");
        Assert.Equal("hr_officer:hr-officer-1", reader.GetString(0));
        Assert.Contains("private key leaked (test)", reader.GetString(1));
        Assert.Contains($"{response.CardsToReprint} cards to re-print", reader.GetString(1));
        Assert.False(reader.Read(), "the retry was audited twice");
        Assert.True((await Client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), System.AsAuditor())).Report.Intact);
    }

    [Fact]
    public async Task Revoking_the_active_key_makes_a_new_key_active_and_new_tokens_use_it()
    {
        var card = await Client.IssueCardAsync(System);
        var leaked = await ActiveKidAsync();
        var response = await Client.RevokeSigningKeyAsync(Revoke(leaked), System.AsHrOfficer());
        Assert.NotEqual(leaked, response.ActiveKey.Kid);
        Assert.Equal(SigningKeyStatus.Active, response.ActiveKey.Status);
        Assert.Equal(SigningKeyStatus.Revoked, response.RevokedKey.Status);
        Assert.NotNull(response.RevokedKey.ValidUntil);
        Assert.True(response.CardsToReprint >= 1);
        Assert.Contains(card.Card.CardNumber, await ListAllAsync(new ListCardsRequest { SignedByKid = leaked }));

        var trust = await Client.GetTrustListAsync(new GetTrustListRequest(), System.AsService());
        Assert.Equal(response.ActiveKey.Kid, trust.Keys.Single(k => k.Status == SigningKeyStatus.Active).Kid);
        Assert.Equal(SigningKeyStatus.Revoked, trust.Keys.Single(k => k.Kid == leaked).Status);

        // The card's next QR is signed by the new key (the registry reports it under that key).
        await Client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = card.Card.CardNumber }, System.AsHrOfficer());
        Assert.Contains(card.Card.CardNumber, await ListAllAsync(new ListCardsRequest { SignedByKid = response.ActiveKey.Kid }));
    }

    [Fact]
    public async Task A_retired_key_is_trusted_until_the_latest_expiry_it_signed_not_for_the_longest_card_validity()
    {
        // Start from a fresh key, so that what it signed is exactly what this test issues.
        await Client.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = SyntheticData.RequestId() }, System.AsHrOfficer());
        var talent = await Client.CreateTalentAsync(System);
        var issued = await Client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = talent.TalentId, ValidityMonths = 7 }, System.AsHrOfficer());
        var shortTalent = await Client.CreateTalentAsync(System);
        await Client.IssueCardAsync(new IssueCardRequest { RequestId = SyntheticData.RequestId(), TalentId = shortTalent.TalentId, ValidityMonths = 2 }, System.AsHrOfficer());

        var rotation = await Client.RotateSigningKeyAsync(new RotateSigningKeyRequest { RequestId = SyntheticData.RequestId() }, System.AsHrOfficer());
        var retired = rotation.RetiredKey;
        Assert.Equal(SigningKeyStatus.Retired, retired.Status);
        Assert.Equal(issued.Card.ExpireTime, retired.TrustedUntil); // the latest exp it signed
        var listed = (await Client.GetTrustListAsync(new GetTrustListRequest(), System.AsService())).Keys.Single(k => k.Kid == retired.Kid);
        Assert.Equal(issued.Card.ExpireTime, listed.TrustedUntil);
        Assert.True(listed.TrustedUntil.ToDateTime() < DateTime.UtcNow.AddMonths(8), "a retired key is still trusted for the longest card validity");
        Assert.Null(rotation.ActiveKey.TrustedUntil);
    }

    [Fact]
    public async Task Signing_keys_are_wrapped_under_their_own_key_file_not_the_personal_data_key()
    {
        await ActiveKidAsync();
        var kek = Path.Combine(System.DataDirectory, "keys", "signing-key-kek.key");
        Assert.True(File.Exists(kek), "no signing-key KEK file");
        Assert.NotEqual(File.ReadAllText(kek).Trim(), File.ReadAllText(Path.Combine(System.DataDirectory, "keys", "personal-data.key")).Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kek));
        }

        using var connection = RegistryCalls.OpenDatabase(System);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PrivateKeyCipher FROM SigningKeys";
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
        {
            Assert.Equal(2, ((byte[])reader[0])[0]); // format 2: under the KEK
            count++;
        }

        Assert.True(count >= 1);
    }

    private async Task<List<string>> ListAllAsync(ListCardsRequest request)
    {
        var all = new List<string>();
        request.PageSize = 200;
        while (true)
        {
            var page = await Client.ListCardsAsync(request, System.AsHrOfficer());
            all.AddRange(page.Cards.Select(c => c.CardNumber));
            if (page.NextPageToken == "")
            {
                return all;
            }

            request.PageToken = page.NextPageToken;
        }
    }
}

/// <summary>Existing data from before the signing-key KEK: its keys, wrapped under the personal-data key, keep working.</summary>
public sealed class SigningKeyKekUpgradeTests
{
    [Fact]
    public async Task A_key_wrapped_under_the_personal_data_key_is_rewrapped_under_the_new_kek_at_start_and_keeps_signing()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false, settings: RegistryFixture.Settings);
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var card = await client.IssueCardAsync(system);
        system.Registry.Kill();

        // The data folder as an older registry left it: the active key wrapped under the personal-data key
        // (HKDF info "…/signing-key-wrap/aes-gcm/v1", format byte 1), a key it retired before, and no KEK file.
        var master = Convert.FromBase64String(File.ReadAllText(Path.Combine(system.DataDirectory, "keys", "personal-data.key")).Trim());
        var now = DateTime.UtcNow;
        RegistryCalls.Execute(system, "DELETE FROM SigningKeys");
        var kid = InsertLegacyKey(system, master, status: 1, validFrom: now, validUntil: null, trustedUntil: null);
        var old = InsertLegacyKey(system, master, status: 2, validFrom: now.AddDays(-30), validUntil: now, trustedUntil: now.AddYears(10));
        File.Delete(Path.Combine(system.DataDirectory, "keys", "signing-key-kek.key"));

        await system.Registry.RestartAsync();
        var trust = await client.GetTrustListAsync(new GetTrustListRequest(), system.AsService());
        Assert.Equal(kid, trust.Keys.Single(k => k.Status == SigningKeyStatus.Active).Kid);
        var qr = await client.RenderCardQrAsync(new RenderCardQrRequest { CardNumber = card.Card.CardNumber }, system.AsHrOfficer());
        Assert.NotEmpty(qr.QrText); // signed with the old key, read through the legacy wrap
        Assert.True(File.Exists(Path.Combine(system.DataDirectory, "keys", "signing-key-kek.key")));

        // The retired pre-upgrade key is no longer trusted for 10 years: only until the latest card it could have signed.
        var retired = trust.Keys.Single(k => k.Kid == old);
        Assert.Equal(SigningKeyStatus.Retired, retired.Status);
        Assert.Equal(card.Card.ExpireTime, retired.TrustedUntil);

        using var connection = RegistryCalls.OpenDatabase(system);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PrivateKeyCipher FROM SigningKeys UNION ALL SELECT Action FROM AuditRecords WHERE Action = 'RewrapSigningKeys'";
        using var reader = command.ExecuteReader();
        var rewrapAudited = false;
        while (reader.Read())
        {
            if (reader[0] is string)
            {
                rewrapAudited = true;
            }
            else
            {
                Assert.Equal(2, ((byte[])reader[0])[0]);
            }
        }

        Assert.True(rewrapAudited, "the re-wrap is not audited");
    }

    private static string InsertLegacyKey(TalentSystem system, byte[] master, int status, DateTime validFrom, DateTime? validUntil, DateTime? trustedUntil)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        var kid = Convert.ToHexStringLower(SHA256.HashData(spki).AsSpan(0, 8));
        static object Time(DateTime? t) => t is { } v ? v.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF") : DBNull.Value;
        RegistryCalls.Execute(system,
            "INSERT INTO SigningKeys (Kid, SubjectPublicKeyInfo, PrivateKeyCipher, Status, ValidFrom, ValidUntil, TrustedUntil, Origin, CreatedAt, SignaturesRecorded) "
            + "VALUES ($kid, $spki, $c, $status, $from, $until, $trusted, 'generated', $from, 0)",
            ("$kid", kid), ("$spki", spki), ("$c", LegacyWrap(master, ecdsa.ExportPkcs8PrivateKeyPem(), kid)), ("$status", status),
            ("$from", Time(validFrom)), ("$until", Time(validUntil)), ("$trusted", Time(trustedUntil)));
        return kid;
    }

    private static byte[] LegacyWrap(byte[] master, string pem, string kid)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "lingcheng-registry/signing-key-wrap/aes-gcm/v1"u8.ToArray());
        var plaintext = Encoding.UTF8.GetBytes(pem);
        var output = new byte[1 + 12 + 16 + plaintext.Length];
        output[0] = 1;
        RandomNumberGenerator.Fill(output.AsSpan(1, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(output.AsSpan(1, 12), plaintext, output.AsSpan(1 + 12 + 16), output.AsSpan(1 + 12, 16), Encoding.UTF8.GetBytes("signing-key/" + kid));
        return output;
    }
}
