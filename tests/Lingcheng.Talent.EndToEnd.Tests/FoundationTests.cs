using Xunit;
using Grpc.Core;
using Grpc.Health.V1;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.EndToEnd.Tests;

/// <summary>The three services start as processes, report health, and refuse callers without the right token (SPEC §6).</summary>
public sealed class FoundationTests(SystemFixture fixture) : IClassFixture<SystemFixture>
{
    private TalentSystem System => fixture.System;

    [Fact]
    public async Task Every_service_reports_serving_on_grpc_health()
    {
        foreach (var service in new[] { System.Registry!, System.Entitlements!, System.Verification! })
        {
            var reply = await new Health.HealthClient(service.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }
    }

    [Fact]
    public async Task A_call_without_a_token_is_unauthenticated_on_every_service()
    {
        var noToken = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10));
        await AssertStatus(StatusCode.Unauthenticated, () => Registry.GetTrustListAsync(new GetTrustListRequest(), noToken).ResponseAsync);
        await AssertStatus(StatusCode.Unauthenticated, () => Entitlements.ListBenefitsAsync(new ListBenefitsRequest(), noToken).ResponseAsync);
        await AssertStatus(StatusCode.Unauthenticated, () => Verification.ListAgenciesAsync(new ListAgenciesRequest(), noToken).ResponseAsync);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_unauthenticated()
    {
        var forged = new Lingcheng.Talent.Auth.DevelopmentTokens(global::System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
            .Mint(Lingcheng.Talent.Auth.Roles.HrOfficer, "intruder");
        await AssertStatus(StatusCode.Unauthenticated, () => Registry.GetTrustListAsync(new GetTrustListRequest(), TalentSystem.Bearer(forged)).ResponseAsync);
    }

    [Fact]
    public async Task A_token_of_the_wrong_role_is_permission_denied_on_every_service()
    {
        var agency = System.AsAgency("HOSP_PEOPLE");
        await AssertStatus(StatusCode.PermissionDenied, () => Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = "r1" }, agency).ResponseAsync);
        await AssertStatus(StatusCode.PermissionDenied, () => Entitlements.UpdateBenefitAsync(new UpdateBenefitRequest { RequestId = "r1" }, agency).ResponseAsync);
        await AssertStatus(StatusCode.PermissionDenied, () => Verification.VerifyAsync(new VerifyRequest { QrText = "LCT1:" }, System.AsHrOfficer()).ResponseAsync);
    }

    private TalentRegistryService.TalentRegistryServiceClient Registry => new(System.Registry!.Channel);

    private EntitlementService.EntitlementServiceClient Entitlements => new(System.Entitlements!.Channel);

    private VerificationService.VerificationServiceClient Verification => new(System.Verification!.Channel);

    private static async Task AssertStatus(StatusCode expected, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, ex.StatusCode);
    }
}

/// <summary>One running system per test class.</summary>
public sealed class SystemFixture : IAsyncLifetime
{
    public TalentSystem System { get; private set; } = null!;

    public async ValueTask InitializeAsync() => System = await TalentSystem.StartAsync();

    public async ValueTask DisposeAsync() => await System.DisposeAsync();
}
