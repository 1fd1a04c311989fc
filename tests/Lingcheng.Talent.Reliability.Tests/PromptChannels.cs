using Grpc.Net.Client;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Reliability.Tests;

/// <summary>
/// The test's own channels to the three services, reconnecting within a second of a restart
/// (a client's channel backs off up to 120 s by default, which would make the test wait, not the system).
/// </summary>
public sealed class PromptChannels(TalentSystem system) : IDisposable
{
    private readonly GrpcChannel _registry = Create(system.Registry!.Address);
    private readonly GrpcChannel _entitlements = Create(system.Entitlements!.Address);
    private readonly GrpcChannel _verification = Create(system.Verification!.Address);

    public TalentRegistryService.TalentRegistryServiceClient Registry => new(_registry);

    public EntitlementService.EntitlementServiceClient Entitlements => new(_entitlements);

    public VerificationService.VerificationServiceClient Verification => new(_verification);

    public void Dispose()
    {
        _registry.Dispose();
        _entitlements.Dispose();
        _verification.Dispose();
    }

    private static GrpcChannel Create(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        MaxReceiveMessageSize = 16 * 1024 * 1024,
        InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
        MaxReconnectBackoff = TimeSpan.FromSeconds(1),
    });
}
