using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Google.Api;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// SPEC §6 for every method of every service, enumerated from the proto descriptors: a caller without
/// a valid token is UNAUTHENTICATED, a caller of a role the method does not allow is PERMISSION_DENIED,
/// every caller of a role it allows gets past authorisation, and the roles the code declares are exactly
/// the ones SPEC §6 and the protos promise. The callers are real (issue 29): each of
/// <see cref="RoleTable.Callers"/> calls with the access token the built-in identity provider issued to that
/// account or client — an officer signed in with the second factor, a desk, a talent who activated their
/// account, each service's own client — and a test proves those tokens are the provider's. The broken
/// tokens (expired, foreign key, other issuer or audience, unsigned) and a role nobody holds are minted
/// here, as no provider would issue them; the services accept development tokens beside the provider's
/// only so that these reach them (see <see cref="SecuritySystem"/>).
/// </summary>
[Collection(Collections.AccessControl)]
public sealed class AccessControlTests(SecuritySystem fixture)
{
    /// <summary>Any valid card number: the broken tokens of the talent role carry it.</summary>
    private static readonly string SomeCard = CardNumber.Create(26, 4242);

    private string _lastBody = "";

    [Fact]
    public void The_role_table_names_exactly_the_methods_of_the_three_proto_services()
    {
        var fromDescriptors = RoleTable.AllMethods.Select(RoleTable.Key).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(fromDescriptors, RoleTable.Allowed.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Contains("VerificationService/Verify", fromDescriptors);
    }

    [Fact]
    public void Every_service_method_declares_exactly_the_roles_the_spec_allows_and_none_is_anonymous()
    {
        var mismatches = new List<string>();
        foreach (var m in RoleTable.AllMethods)
        {
            var declared = RoleTable.Declared(m);
            var expected = RoleTable.Allowed[RoleTable.Key(m)];
            if (declared is null || !declared.SetEquals(expected))
            {
                mismatches.Add($"{RoleTable.Key(m)}: code allows [{(declared is null ? "ANONYMOUS or no [Authorize]" : string.Join(",", declared.Order()))}], SPEC §6 says [{string.Join(",", expected.Order())}]");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Every_method_names_exactly_the_services_that_need_it_and_no_other()
    {
        var mismatches = new List<string>();
        foreach (var m in RoleTable.AllMethods)
        {
            var declared = RoleTable.DeclaredServices(m);
            var expected = RoleTable.ServicesAllowed(m);
            if (!declared.SetEquals(expected))
            {
                mismatches.Add($"{RoleTable.Key(m)}: code lets the services [{string.Join(",", declared.Order())}] call it, the table says [{string.Join(",", expected.Order())}]");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Equal(["verification"], RoleTable.ServicesAllowed(RoleTable.AllMethods.Single(m => RoleTable.Key(m) == "EntitlementService/Redeem")));
    }

    [Fact]
    public async Task A_use_is_recorded_only_from_the_verification_service_and_only_for_the_agency_of_the_terminal_whose_token_it_forwards()
    {
        // Issue 25, item 9, with the provider's real tokens: before, any service token could Redeem for any agency_code it liked.
        var (card, _, _) = await fixture.IssueCardAsync();
        var desk = fixture.ProviderTokens.Of(Roles.AgencyTerminal).Single(); // desk-hosp-people: agency HOSP_PEOPLE
        string Own(string service) => fixture.ProviderTokens.Of(Roles.Service).Single(t => t.Caller == service).Token;
        CallOptions As(string service, string? forwarded)
        {
            var options = fixture.Bearer(Own(service));
            if (forwarded is not null)
            {
                fixture.Bearer(forwarded);
                options.Headers!.Add(TalentSystem.OnBehalfOfHeader, "Bearer " + forwarded);
            }

            return options;
        }

        EntitlementServiceRedeemRequest Use(string agency) => new()
        {
            RedemptionId = "rd-" + Guid.NewGuid().ToString("N"),
            CardNumber = card.CardNumber,
            CardVersion = card.CardVersion,
            BenefitCode = "ANNUAL_HEALTH_CHECK",
            AgencyCode = agency,
        };
        async Task<RpcException> Refused(EntitlementServiceRedeemRequest request, CallOptions options) =>
            await Assert.ThrowsAsync<RpcException>(async () => await fixture.Entitlements.RedeemAsync(request, options));

        Assert.Equal(StatusCode.PermissionDenied, (await Refused(Use("HOSP_PEOPLE"), As("registry", desk.Token))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(Use("HOSP_PEOPLE"), As("entitlements", desk.Token))).StatusCode);
        var missing = await Refused(Use("HOSP_PEOPLE"), As("verification", null));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Contains(TalentSystem.OnBehalfOfHeader, missing.Status.Detail);
        var mismatch = await Refused(Use("CULTOUR"), As("verification", desk.Token));
        Assert.Equal(StatusCode.PermissionDenied, mismatch.StatusCode);
        Assert.Contains("agency_code", mismatch.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(Use("HOSP_PEOPLE"), As("verification", fixture.ProviderTokens.Of(Roles.Talent).Single().Token))).StatusCode);
        var forged = fixture.ForeignTokens.Mint(Roles.AgencyTerminal, "desk-forged", agency: "HOSP_PEOPLE", terminal: "desk-1");
        Assert.Equal(StatusCode.Unauthenticated, (await Refused(Use("HOSP_PEOPLE"), As("verification", forged))).StatusCode);
        var terminal = Use("HOSP_PEOPLE");
        terminal.TerminalId = "another-desk";
        Assert.Equal(StatusCode.PermissionDenied, (await Refused(terminal, As("verification", desk.Token))).StatusCode);

        var history = await fixture.Entitlements.ListRedemptionsAsync(new ListRedemptionsRequest { CardNumber = card.CardNumber }, fixture.AsAuditor());
        Assert.Empty(history.Redemptions); // nothing refused was recorded

        Assert.Equal(StatusCode.InvalidArgument, (await Refused(Use(""), As("verification", desk.Token))).StatusCode); // agency_code is still required
        var ok = await fixture.Entitlements.RedeemAsync(Use("HOSP_PEOPLE"), As("verification", desk.Token));
        Assert.Equal(RedemptionStatus.Redeemed, ok.Status);
        Assert.Equal(("HOSP_PEOPLE", "desk-1"), (ok.Redemption.AgencyCode, ok.Redemption.TerminalId)); // the terminal of the desk's token
    }

    // The services accept development tokens too (for the broken ones), so a matrix quietly run on minted tokens would
    // pass the tests below as well: this one pins every matrix token to the provider's published keys and issuer.
    [Fact]
    public async Task Every_matrix_token_is_one_the_provider_signed_for_its_own_account_or_client_and_every_role_has_one()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = new Uri(fixture.System.Identity!.Address + "/") };
        var discovery = await http.GetFromJsonAsync<JsonElement>(".well-known/openid-configuration", ct);
        Assert.Equal(fixture.Issuer, discovery.GetProperty("issuer").GetString());
        var published = new JsonWebKeySet(await http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString(), ct));
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = fixture.Issuer,
            ValidAudience = DevelopmentTokens.Audience,
            IssuerSigningKeys = published.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
        };

        var tokens = fixture.ProviderTokens.All;
        Assert.Equal(RoleTable.Callers.Count, tokens.Count);
        foreach (var ((caller, role), token) in RoleTable.Callers.Zip(tokens))
        {
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(token.Token, parameters);
            Assert.True(result.IsValid, $"{caller}: {result.Exception?.Message}");
            var jwt = (JsonWebToken)result.SecurityToken;
            Assert.Equal(SecurityAlgorithms.EcdsaSha256, jwt.Alg);
            Assert.Equal(role, jwt.GetClaim(ClaimNames.Role).Value);
            Assert.Equal(caller == RoleTable.ActivatedTalent ? fixture.ProviderTokens.TalentCard.CardNumber : caller, jwt.Subject);
        }

        var desk = new JsonWebToken(fixture.ProviderTokens.Of(Roles.AgencyTerminal).Single().Token);
        Assert.Equal("HOSP_PEOPLE", desk.GetClaim(ClaimNames.Agency).Value);
        var talent = new JsonWebToken(fixture.ProviderTokens.Of(Roles.Talent).Single().Token);
        Assert.Equal(fixture.ProviderTokens.TalentCard.CardNumber, talent.GetClaim(ClaimNames.Card).Value);
        Assert.Equal(Roles.All.Order(StringComparer.Ordinal), tokens.Select(t => t.Role).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["entitlements", "registry", "verification"], fixture.ProviderTokens.Of(Roles.Service).Select(t => t.Caller).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_method_answers_unauthenticated_without_a_token_or_with_an_expired_forged_foreign_or_unsigned_one()
    {
        var failures = new List<string>();
        var calls = 0;
        foreach (var m in RoleTable.AllMethods)
        {
            foreach (var (name, token) in BrokenTokens(RoleTable.SomeAllowedRole(m)))
            {
                var status = await RawCalls.CallAsync(ChannelOf(m), m, Options(token));
                calls++;
                if (status != StatusCode.Unauthenticated)
                {
                    failures.Add($"{RoleTable.Key(m)} with {name}: {status}");
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{calls} calls with broken tokens");
        Assert.True(failures.Count == 0, "Expected UNAUTHENTICATED:\n" + string.Join("\n", failures));
        Assert.Equal(RoleTable.AllMethods.Count() * BrokenTokens("auditor").Count(), calls);
    }

    [Fact]
    public async Task Every_method_answers_permission_denied_to_each_role_it_does_not_allow()
    {
        var failures = new List<string>();
        var calls = 0;
        foreach (var m in RoleTable.AllMethods)
        {
            // Each wrong role, and each service's own client where the role is allowed but not that service (issue 25, item 9:
            // the registry's client cannot Redeem). A Redeem or CancelRedemption carries a desk's token as if forwarded.
            var wrongServices = RoleTable.Allowed[RoleTable.Key(m)] is var a && (a.Contains("*") || a.Contains(Roles.Service))
                ? fixture.ProviderTokens.Of(Roles.Service).Where(t => !RoleTable.ServicesAllowed(m).Contains(t.Caller)).Select(t => ("service " + t.Caller, t.Token))
                : [];
            foreach (var (caller, token) in RoleTable.WrongRoles(m).SelectMany(CallersOf).Concat(wrongServices))
            {
                var status = await RawCalls.CallAsync(ChannelOf(m), m, OnBehalfOfDesk(m, Options(token)));
                calls++;
                if (status != StatusCode.PermissionDenied)
                {
                    failures.Add($"{RoleTable.Key(m)} as {caller}: {status}");
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{calls} calls with wrong roles");
        Assert.True(failures.Count == 0, "Expected PERMISSION_DENIED:\n" + string.Join("\n", failures));
        Assert.True(calls > 80, $"only {calls} wrong-role calls were made");
    }

    [Fact]
    public async Task Every_allowed_role_gets_past_authorisation_on_every_method()
    {
        // The talent asks about their own card and record; everyone else sends the empty request
        // (which at most fails validation: nothing is written).
        var (card, talent) = (fixture.ProviderTokens.TalentCard, fixture.ProviderTokens.Talent);
        var failures = new List<string>();
        var calls = 0;
        foreach (var m in RoleTable.AllMethods)
        {
            IEnumerable<string> roles = RoleTable.Allowed[RoleTable.Key(m)].Contains("*") ? Roles.All : RoleTable.Allowed[RoleTable.Key(m)];
            foreach (var token in roles.SelectMany(fixture.ProviderTokens.Of).Where(t => RoleTable.MayCall(m, t.Role, t.Caller)))
            {
                var request = m.InputType.Parser.ParseFrom(Google.Protobuf.ByteString.Empty);
                if (token.Role == Roles.Talent)
                {
                    m.InputType.FindFieldByName("card_number")?.Accessor.SetValue(request, card.CardNumber);
                    m.InputType.FindFieldByName("talent_id")?.Accessor.SetValue(request, talent.TalentId);
                }

                var status = await RawCalls.CallAsync(ChannelOf(m), m, OnBehalfOfDesk(m, Options(token.Token)), Google.Protobuf.MessageExtensions.ToByteArray(request));
                calls++;
                if (status is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
                {
                    failures.Add($"{RoleTable.Key(m)} as {token.Role} {token.Caller}: {status}");
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{calls} calls with the provider's tokens of allowed callers");
        Assert.True(failures.Count == 0, "An allowed caller was refused:\n" + string.Join("\n", failures));
        Assert.True(calls > RoleTable.AllMethods.Count() * 2, $"only {calls} allowed calls were made");
    }

    [Fact]
    public async Task The_json_endpoints_answer_401_without_a_valid_token_and_403_to_every_other_role()
    {
        var routes = VerificationService.Descriptor.Methods
            .Select(m => (Method: m, Rule: m.GetOptions()?.GetExtension(AnnotationsExtensions.Http)))
            .Where(x => x.Rule is not null)
            .Select(x => (x.Method, Path: x.Rule!.Post.Replace("{redemption_id}", "rd-sec-json", StringComparison.Ordinal)))
            .ToList();
        Assert.Equal(["Verify", "Redeem", "CancelRedemption"], routes.Select(r => r.Method.Name).ToArray());

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.System.VerificationJsonPort}") };
        var failures = new List<string>();
        var calls = 0;
        foreach (var (method, path) in routes)
        {
            foreach (var (name, token) in BrokenTokens(Roles.AgencyTerminal))
            {
                var status = await PostAsync(http, path, token);
                calls++;
                if (status != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"POST {path} with {name}: {(int)status}, expected 401");
                }
            }

            foreach (var (caller, token) in RoleTable.WrongRoles(method).SelectMany(CallersOf))
            {
                var status = await PostAsync(http, path, token);
                calls++;
                if (status != HttpStatusCode.Forbidden)
                {
                    failures.Add($"POST {path} as {caller}: {(int)status}, expected 403");
                }
            }

            // A terminal of an agency that is not one of the 18 is refused too.
            var stranger = fixture.System.Tokens.Mint(Roles.AgencyTerminal, "evil-desk", agency: "EVIL_CORP", terminal: "desk-1");
            var strangerStatus = await PostAsync(http, path, stranger);
            calls++;
            if (strangerStatus != HttpStatusCode.Forbidden)
            {
                failures.Add($"POST {path} as a terminal of an unknown agency: {(int)strangerStatus}, expected 403 ({_lastBody})");
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{calls} JSON calls with broken tokens or wrong roles");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("EVIL_CORP")]
    [InlineData("hosp_people")]
    [InlineData("HOSP_PEOPLE' OR '1'='1")]
    public async Task An_agency_terminal_token_that_names_no_participating_agency_is_permission_denied(string? agency)
    {
        var (_, qr, _) = await fixture.IssueCardAsync();
        var options = fixture.Bearer(fixture.System.Tokens.Mint(Roles.AgencyTerminal, "desk-x", agency: agency, terminal: "desk-x"));

        var verify = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Verification.VerifyAsync(new VerifyRequest { QrText = qr }, options));
        var redeem = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Verification.RedeemAsync(
            new RedeemRequest { QrText = qr, BenefitCode = "ANNUAL_HEALTH_CHECK", RedemptionId = "rd-" + Guid.NewGuid().ToString("N") }, options));

        Assert.Equal(StatusCode.PermissionDenied, verify.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, redeem.StatusCode);
        fixture.Answer(verify);
    }

    /// <summary>Tokens that must not authenticate anyone, each otherwise carrying <paramref name="role"/>.</summary>
    private IEnumerable<(string Name, string? Token)> BrokenTokens(string role)
    {
        var tokens = fixture.System.Tokens;
        var (agency, card) = ClaimsFor(role, SomeCard);
        yield return ("no token", null);
        yield return ("a bearer value that is no JWT", "not-a-jwt");
        yield return ("an expired token", tokens.Mint(role, "sec-expired", agency, card, lifetime: TimeSpan.FromMinutes(5), now: DateTimeOffset.UtcNow.AddHours(-2)));
        yield return ("a token signed by another development key", fixture.ForeignTokens.Mint(role, "sec-foreign", agency, card));
        yield return ("a token of another issuer", Custom(tokens.SecurityKey, role, agency, card, issuer: "https://evil.example/", audience: DevelopmentTokens.Audience));
        yield return ("a token for another audience", Custom(tokens.SecurityKey, role, agency, card, issuer: DevelopmentTokens.Issuer, audience: "another-api"));
        yield return ("an unsigned token (alg none)", Unsigned(role, agency, card));
    }

    private static (string? Agency, string? Card) ClaimsFor(string role, string card) =>
        role == Roles.AgencyTerminal ? ("HOSP_PEOPLE", null) : role == Roles.Talent ? (null, card) : (null, null);

    /// <summary>
    /// Who calls as <paramref name="role"/> in the matrix: the provider's token of every account and client holding it, or,
    /// for <see cref="RoleTable.NoSuchRole"/>, which none holds and no provider issues, a development token.
    /// </summary>
    private IEnumerable<(string Caller, string Token)> CallersOf(string role) =>
        role == RoleTable.NoSuchRole
            ? [(role + " (development token)", fixture.System.Tokens.Mint(role, "sec-" + role))]
            : fixture.ProviderTokens.Of(role).Select(t => (role + " " + t.Caller, t.Token));

    private static string Custom(SecurityKey key, string role, string? agency, string? card, string issuer, string audience)
    {
        var claims = new Dictionary<string, object> { [ClaimNames.Role] = role };
        if (agency is not null)
        {
            claims[ClaimNames.Agency] = agency;
        }

        if (card is not null)
        {
            claims[ClaimNames.Card] = card;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim(ClaimNames.Subject, "sec-impostor")]),
            Claims = claims,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static string Unsigned(string role, string? agency, string? card)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>
        {
            ["iss"] = DevelopmentTokens.Issuer,
            ["aud"] = DevelopmentTokens.Audience,
            ["sub"] = "sec-unsigned",
            [ClaimNames.Role] = role,
            ["iat"] = now,
            ["nbf"] = now - 5,
            ["exp"] = now + 3600,
        };
        if (agency is not null)
        {
            payload[ClaimNames.Agency] = agency;
        }

        if (card is not null)
        {
            payload[ClaimNames.Card] = card;
        }

        return Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload)) + ".";
    }

    /// <summary>For the methods a service calls on a terminal's behalf, the desk's own provider token, forwarded.</summary>
    private CallOptions OnBehalfOfDesk(MethodDescriptor m, CallOptions options)
    {
        if (RoleTable.OnBehalfOfTerminal.Contains(RoleTable.Key(m)))
        {
            options = options.Headers is null ? options.WithHeaders(new Metadata()) : options;
            options.Headers!.Add(TalentSystem.OnBehalfOfHeader, "Bearer " + fixture.ProviderTokens.Of(Roles.AgencyTerminal).First().Token);
        }

        return options;
    }

    private CallOptions Options(string? token) =>
        token is null ? new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)) : fixture.Bearer(token);

    private Grpc.Net.Client.GrpcChannel ChannelOf(MethodDescriptor m) => m.Service.Name switch
    {
        "TalentRegistryService" => fixture.System.Registry!.Channel,
        "EntitlementService" => fixture.System.Entitlements!.Channel,
        _ => fixture.System.Verification!.Channel,
    };

    private async Task<HttpStatusCode> PostAsync(HttpClient http, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent("{\"qrText\":\"LCT1:\",\"benefitCode\":\"ANNUAL_HEALTH_CHECK\",\"redemptionId\":\"rd-sec-json\"}", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            fixture.Bearer(token);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        _lastBody = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
