using System.Security.Claims;
using Grpc.Core;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Testing;
using Lingcheng.Talent.V1;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Lingcheng.Talent.Registry.Tests;

/// <summary>
/// No silent development mode (issue 25, item 2, and the Low items on tokens and reflection): a service accepts
/// development tokens only in Development with the explicit switch, says so loudly, keeps its keys and databases
/// owner-only, and refuses tokens with several roles, the wrong type or too long a life. Before, a service without
/// an authority accepted development tokens in any environment, from a key file anyone on the machine could read.
/// </summary>
public sealed class DevelopmentModeTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerOnlyFile | UnixFileMode.UserExecute;

    [Theory]
    [InlineData("Production", null, "Auth:Authority is not set")]
    [InlineData("Staging", "true", "development tokens are accepted only in the Development environment")]
    [InlineData("Development", null, "Auth:Authority is not set")]
    public async Task A_service_without_an_authority_and_without_both_switches_exits_1_with_one_line(string environment, string? developmentTokens, string why)
    {
        var data = NewDataFolder();
        try
        {
            var env = new Dictionary<string, string>
            {
                ["DataDirectory"] = data,
                ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
                ["ASPNETCORE_ENVIRONMENT"] = environment,
            };
            if (developmentTokens is not null)
            {
                env["Auth__DevelopmentTokens"] = developmentTokens;
            }

            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("Registry", ServiceProcess.FreePort(), env, TimeSpan.FromSeconds(60)));

            Assert.Contains("exited with code 1 while starting", failure.Message);
            var lines = failure.Message.Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
            var reason = Assert.Single(lines, l => l.StartsWith("registry cannot start: ", StringComparison.Ordinal));
            Assert.Contains(why, reason);
            Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
            Assert.False(File.Exists(Path.Combine(data, "keys", "dev-jwt.key")), "no development key is made for a service that refuses it");
        }
        finally
        {
            DeleteFolder(data);
        }
    }

    [Fact]
    public async Task In_Development_with_the_switch_a_service_serves_warns_once_and_keeps_its_files_owner_only()
    {
        // A data folder that does not exist yet: everything in it is made by the service.
        var data = Path.Combine(Path.GetTempPath(), "lct-tests", "devmode-" + Guid.NewGuid().ToString("N"), "data");
        var env = new Dictionary<string, string>(ServiceProcess.DevelopmentMode)
        {
            ["DataDirectory"] = data,
            ["Kestrel__Endpoints__Json__Url"] = "http://127.0.0.1:0",
            ["Audit__CheckpointSeconds"] = "1",
        };
        var registry = await ServiceProcess.StartAsync("Registry", ServiceProcess.FreePort(), env, TimeSpan.FromSeconds(60));
        try
        {
            var tokens = DevelopmentTokens.FromFile(Path.Combine(data, "keys", "dev-jwt.key"), createIfMissing: false);
            var client = new TalentRegistryService.TalentRegistryServiceClient(registry.Channel);
            await client.GetTrustListAsync(new GetTrustListRequest(), TalentSystem.Bearer(tokens.Mint(Roles.Auditor, "dev-mode")));
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(registry.Output, "DEVELOPMENT TOKENS ARE ACCEPTED"));
            Assert.Contains("warn", registry.Output[..registry.Output.IndexOf("DEVELOPMENT TOKENS", StringComparison.Ordinal)].Split('\n')[^1]);

            await client.VerifyAuditChainAsync(new VerifyAuditChainRequest(), TalentSystem.Bearer(tokens.Mint(Roles.Auditor, "dev-mode"))); // the checkpoint file exists by now
            for (var i = 0; i < 50 && !File.Exists(Path.Combine(data, "audit", "registry.checkpoints")); i++)
            {
                await Task.Delay(100);
            }

            if (!OperatingSystem.IsWindows())
            {
                foreach (var folder in new[] { data, Path.Combine(data, "keys"), Path.Combine(data, "audit") })
                {
                    Assert.True(File.GetUnixFileMode(folder) == OwnerOnlyFolder, $"{folder} is {File.GetUnixFileMode(folder)}");
                }

                var files = new[] { "keys/dev-jwt.key", "keys/personal-data.key", "keys/audit-checkpoint.key", "audit/registry.checkpoints", "registry.db", "registry.db-wal", "registry.db-shm" };
                foreach (var file in files.Select(f => Path.Combine(data, f)))
                {
                    Assert.True(File.Exists(file), $"{file} is missing");
                    Assert.True(File.GetUnixFileMode(file) == OwnerOnlyFile, $"{file} is {File.GetUnixFileMode(file)}");
                }
            }
        }
        finally
        {
            await registry.DisposeAsync();
            DeleteFolder(Path.GetDirectoryName(data)!);
        }
    }

    [Fact]
    public async Task A_token_with_several_roles_the_wrong_type_or_too_long_a_life_is_unauthenticated()
    {
        await using var system = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false,
            settings: new Dictionary<string, string> { ["Auth__MaxTokenLifetime"] = "12:00:00" });
        var client = new TalentRegistryService.TalentRegistryServiceClient(system.Registry!.Channel);
        var key = system.Tokens.SecurityKey;

        // Accepted: the harness's own token, and one of exactly the longest life allowed.
        await client.GetTrustListAsync(new GetTrustListRequest(), system.AsAuditor());
        await client.GetTrustListAsync(new GetTrustListRequest(), TalentSystem.Bearer(system.Tokens.Mint(Roles.Auditor, "a", lifetime: TimeSpan.FromHours(12))));

        var refused = new Dictionary<string, string>
        {
            ["two roles"] = Token(key, new Dictionary<string, object> { ["role"] = new[] { Roles.Auditor, Roles.HrOfficer } }),
            ["a 13-hour life"] = system.Tokens.Mint(Roles.Auditor, "a", lifetime: TimeSpan.FromHours(13)),
            ["the provider's token type"] = Token(key, new Dictionary<string, object> { ["role"] = Roles.Auditor }, type: "at+jwt"),
        };
        foreach (var (what, token) in refused)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetTrustListAsync(new GetTrustListRequest(), TalentSystem.Bearer(token)).ResponseAsync);
            Assert.True(ex.StatusCode == StatusCode.Unauthenticated, $"{what}: {ex.Status}");
        }
    }

    [Fact]
    public async Task Server_reflection_answers_in_Development_and_not_when_switched_off()
    {
        await using var on = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false);
        Assert.Equal(StatusCode.OK, await ReflectionAsync(on.Registry!));

        await using var off = await TalentSystem.StartAsync(registry: true, entitlements: false, verification: false,
            settings: new Dictionary<string, string> { ["Grpc__Reflection"] = "false" });
        Assert.Equal(StatusCode.Unimplemented, await ReflectionAsync(off.Registry!));
    }

    /// <summary>Asks grpc.reflection.v1alpha to list the services (list_services = "", field 7), without a token.</summary>
    private static async Task<StatusCode> ReflectionAsync(ServiceProcess service)
    {
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "grpc.reflection.v1alpha.ServerReflection", "ServerReflectionInfo",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        using var call = service.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
        try
        {
            await call.RequestStream.WriteAsync([0x3A, 0x00]);
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Contains("lingcheng.talent.v1.TalentRegistryService", System.Text.Encoding.UTF8.GetString(call.ResponseStream.Current));
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    private static string Token(SymmetricSecurityKey key, Dictionary<string, object> claims, string type = DevelopmentTokens.TokenType)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = DevelopmentTokens.Issuer,
            Audience = DevelopmentTokens.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "crafted")]),
            Claims = claims,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.AddHours(1),
            TokenType = type,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static string NewDataFolder()
    {
        var data = Path.Combine(Path.GetTempPath(), "lct-tests", "devmode-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return data;
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by a dying process; the temp folder is cleaned by the OS
        }
    }
}
