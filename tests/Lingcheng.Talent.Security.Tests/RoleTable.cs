using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Lingcheng.Talent.V1;
using Microsoft.AspNetCore.Authorization;
using Lingcheng.Talent.Auth;

namespace Lingcheng.Talent.Security.Tests;

/// <summary>
/// Who may call what, written from SPEC §6 and the RPC comments of the protos (the contract agencies
/// read), independently of the code. <see cref="Any"/> means every authenticated caller. The access
/// matrix (<see cref="AccessControlTests"/>) calls every method as each of <see cref="Callers"/>, with the
/// access token the built-in identity provider issued to that real account or client.
/// </summary>
public static class RoleTable
{
    /// <summary>Every authenticated role may call the method.</summary>
    public static readonly IReadOnlySet<string> Any = new HashSet<string> { "*" };

    /// <summary>A role no account or client holds: the provider cannot issue it, so the matrix mints it as a development token.</summary>
    public const string NoSuchRole = "superuser";

    /// <summary>The placeholder in <see cref="Callers"/> for the talent, whose account name is a card number issued at run time.</summary>
    public const string ActivatedTalent = "(a talent who activated their account)";

    /// <summary>
    /// The provider's accounts and clients the matrix calls as, every role at least once: the demo officers and
    /// a desk the provider seeds in Development, a talent whose account HR opened, and the services' own clients
    /// (role <c>service</c>, client credentials) — each service's, since any of them may be the caller.
    /// </summary>
    public static readonly IReadOnlyList<(string Caller, string Role)> Callers =
    [
        ("hr-demo", Roles.HrOfficer),
        ("auditor-demo", Roles.Auditor),
        ("desk-hosp-people", Roles.AgencyTerminal),
        (ActivatedTalent, Roles.Talent),
        ("registry", Roles.Service),
        ("entitlements", Roles.Service),
        ("verification", Roles.Service),
    ];

    public static readonly IReadOnlyList<ServiceDescriptor> Services =
        [TalentRegistryService.Descriptor, EntitlementService.Descriptor, VerificationService.Descriptor];

    /// <summary>"Service/Method" → allowed roles.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Allowed = new Dictionary<string, IReadOnlySet<string>>
    {
        ["TalentRegistryService/CreateTalent"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/GetTalent"] = Set(Roles.HrOfficer, Roles.Auditor, Roles.Service, Roles.Talent),
        ["TalentRegistryService/ListTalents"] = Set(Roles.HrOfficer, Roles.Auditor),
        ["TalentRegistryService/UpdateTalent"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/IssueCard"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/GetCard"] = Set(Roles.HrOfficer, Roles.Auditor, Roles.Service, Roles.Talent),
        ["TalentRegistryService/ListCards"] = Set(Roles.HrOfficer, Roles.Auditor),
        ["TalentRegistryService/ListCardEvents"] = Set(Roles.HrOfficer, Roles.Auditor),
        ["TalentRegistryService/RenewCard"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/SuspendCard"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/ReinstateCard"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/RevokeCard"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/ReissueCard"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/RenderCardQr"] = Set(Roles.HrOfficer, Roles.Talent),
        ["TalentRegistryService/IssueDynamicToken"] = Set(Roles.Talent),
        ["TalentRegistryService/GetTrustList"] = Any,
        ["TalentRegistryService/RotateSigningKey"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/RevokeSigningKey"] = Set(Roles.HrOfficer),
        ["TalentRegistryService/WatchCardEvents"] = Set(Roles.Service, Roles.Auditor),
        ["TalentRegistryService/GetRevocationSnapshot"] = Set(Roles.AgencyTerminal, Roles.Service, Roles.HrOfficer, Roles.Auditor),
        ["TalentRegistryService/VerifyAuditChain"] = Set(Roles.HrOfficer, Roles.Auditor),

        ["EntitlementService/ListBenefits"] = Any,
        ["EntitlementService/UpdateBenefit"] = Set(Roles.HrOfficer),
        ["EntitlementService/ListCardEntitlements"] = Set(Roles.Service, Roles.HrOfficer, Roles.Auditor, Roles.Talent),
        ["EntitlementService/Redeem"] = Set(Roles.Service),
        ["EntitlementService/CancelRedemption"] = Set(Roles.Service),
        ["EntitlementService/ListRedemptions"] = Set(Roles.HrOfficer, Roles.Auditor, Roles.Talent),
        ["EntitlementService/GetUsageStatistics"] = Set(Roles.HrOfficer, Roles.Auditor),
        ["EntitlementService/VerifyAuditChain"] = Set(Roles.HrOfficer, Roles.Auditor),
        ["EntitlementService/WatchUsage"] = Set(Roles.Service),

        ["VerificationService/Verify"] = Set(Roles.AgencyTerminal),
        ["VerificationService/Redeem"] = Set(Roles.AgencyTerminal),
        ["VerificationService/CancelRedemption"] = Set(Roles.AgencyTerminal),
        ["VerificationService/ListAgencies"] = Any,
        ["VerificationService/ListCardVerifications"] = Set(Roles.Talent, Roles.HrOfficer, Roles.Auditor),
        ["VerificationService/GetServerTime"] = Any,
        ["VerificationService/VerifyAuditChain"] = Set(Roles.HrOfficer, Roles.Auditor),
    };

    /// <summary>
    /// Which services (by their own client, the token's subject) may call a method whose roles include <c>service</c> or
    /// any role (issue 25, item 9): each only what it needs. A method not listed here accepts no service at all.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> ServiceCallers = new Dictionary<string, IReadOnlySet<string>>
    {
        ["TalentRegistryService/GetTalent"] = Set("verification"), // the photo shown at the desk
        ["TalentRegistryService/GetCard"] = Set("verification", "entitlements"),
        ["TalentRegistryService/GetTrustList"] = Set("verification"),
        ["TalentRegistryService/WatchCardEvents"] = Set("verification", "entitlements"),
        ["TalentRegistryService/GetRevocationSnapshot"] = Set("verification"),
        ["EntitlementService/ListCardEntitlements"] = Set("verification"),
        ["EntitlementService/Redeem"] = Set("verification"),
        ["EntitlementService/CancelRedemption"] = Set("verification"),
        ["EntitlementService/WatchUsage"] = Set("verification"),
    };

    /// <summary>The methods the verification service calls on an agency terminal's behalf, forwarding the terminal's token.</summary>
    public static readonly IReadOnlySet<string> OnBehalfOfTerminal = Set("EntitlementService/Redeem", "EntitlementService/CancelRedemption");

    /// <summary>The services that may call the method (none for most).</summary>
    public static IReadOnlySet<string> ServicesAllowed(MethodDescriptor m) => ServiceCallers.GetValueOrDefault(Key(m)) ?? new HashSet<string>();

    /// <summary>Whether the role allows the caller: for role service, only a service the method names.</summary>
    public static bool MayCall(MethodDescriptor m, string role, string caller)
    {
        var allowed = Allowed[Key(m)];
        return role == Roles.Service ? ServicesAllowed(m).Contains(caller) && (allowed.Contains("*") || allowed.Contains(role))
            : allowed.Contains("*") || allowed.Contains(role);
    }

    /// <summary>The services the service class declares for the method (<c>[ServiceCallers]</c>), empty when none.</summary>
    public static IReadOnlySet<string> DeclaredServices(MethodDescriptor m)
    {
        var type = m.Service.Name switch
        {
            "TalentRegistryService" => typeof(Lingcheng.Talent.Registry.Services.TalentRegistryGrpcService),
            "EntitlementService" => typeof(Lingcheng.Talent.Entitlements.Services.EntitlementGrpcService),
            _ => typeof(Lingcheng.Talent.Verification.Services.VerificationGrpcService),
        };
        var method = type.GetMethod(m.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        return method?.GetCustomAttribute<Lingcheng.Talent.ServiceDefaults.Auth.ServiceCallersAttribute>()?.Services.ToHashSet() ?? [];
    }

    /// <summary>Every method of every service, from the proto descriptors.</summary>
    public static IEnumerable<MethodDescriptor> AllMethods => Services.SelectMany(s => s.Methods);

    public static string Key(MethodDescriptor m) => m.Service.Name + "/" + m.Name;

    /// <summary>The roles that may NOT call the method (plus a role nobody has, which only a development token can carry).</summary>
    public static IEnumerable<string> WrongRoles(MethodDescriptor m)
    {
        var allowed = Allowed[Key(m)];
        return allowed.Contains("*") ? [] : Roles.All.Where(r => !allowed.Contains(r)).Append(NoSuchRole);
    }

    /// <summary>A role the method allows (to carry an otherwise broken token).</summary>
    public static string SomeAllowedRole(MethodDescriptor m) => Allowed[Key(m)] is var a && a.Contains("*") ? Roles.Auditor : a.First();

    /// <summary>
    /// What the service class itself declares: the roles of its <c>[Authorize]</c> attribute on the method
    /// (<see cref="Any"/> when it names none), or null when the method has no [Authorize] or allows anonymous callers.
    /// </summary>
    public static IReadOnlySet<string>? Declared(MethodDescriptor m)
    {
        var type = m.Service.Name switch
        {
            "TalentRegistryService" => typeof(Lingcheng.Talent.Registry.Services.TalentRegistryGrpcService),
            "EntitlementService" => typeof(Lingcheng.Talent.Entitlements.Services.EntitlementGrpcService),
            "VerificationService" => typeof(Lingcheng.Talent.Verification.Services.VerificationGrpcService),
            _ => throw new InvalidOperationException(m.Service.Name),
        };
        if (type.GetCustomAttributes<AllowAnonymousAttribute>(inherit: true).Any())
        {
            return null;
        }

        var method = type.GetMethod(m.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        if (method is null || method.GetCustomAttributes<AllowAnonymousAttribute>(inherit: true).Any())
        {
            return null;
        }

        var authorize = method.GetCustomAttributes<AuthorizeAttribute>(inherit: true).ToList();
        if (authorize.Count == 0)
        {
            return null;
        }

        // Several [Authorize] attributes must all be satisfied: the allowed roles are their intersection.
        IEnumerable<string>? roles = null;
        foreach (var a in authorize.Where(a => !string.IsNullOrEmpty(a.Roles)))
        {
            var these = a.Roles!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            roles = roles is null ? these : roles.Intersect(these);
        }

        return roles is null ? Any : roles.ToHashSet();
    }

    private static HashSet<string> Set(params string[] roles) => [.. roles];
}

/// <summary>Calls any method of any service with raw bytes, as a client that knows only the descriptor would.</summary>
public static class RawCalls
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>An empty request of the method's input type (every field at its default), serialized.</summary>
    public static byte[] EmptyRequest(MethodDescriptor m) => m.InputType.Parser.ParseFrom(ByteString.Empty).ToByteArray();

    /// <summary>
    /// Calls the method (a server stream is read once) and returns the status it ended with: OK when
    /// the call went through.
    /// </summary>
    public static async Task<StatusCode> CallAsync(Grpc.Net.Client.GrpcChannel channel, MethodDescriptor m, CallOptions options, byte[]? request = null)
    {
        var invoker = channel.CreateCallInvoker();
        var body = request ?? EmptyRequest(m);
        try
        {
            if (m.IsServerStreaming)
            {
                var method = new Method<byte[], byte[]>(MethodType.ServerStreaming, m.Service.FullName, m.Name, Bytes, Bytes);
                using var call = invoker.AsyncServerStreamingCall(method, null, options, body);
                await call.ResponseStream.MoveNext(CancellationToken.None);
            }
            else
            {
                var method = new Method<byte[], byte[]>(MethodType.Unary, m.Service.FullName, m.Name, Bytes, Bytes);
                await invoker.AsyncUnaryCall(method, null, options, body);
            }

            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}
