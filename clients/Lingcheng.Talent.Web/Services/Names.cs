using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Web.Services;

/// <summary>
/// The contract's name of an enum value without its prefix, e.g. <c>VerificationOutcome.Revoked</c> →
/// <c>REVOKED</c>: the key of its texts in the resource files. Read from the generated code by the
/// contracts' <see cref="ProtoNames"/>, not a table.
/// </summary>
public static class Names
{
    public static string Of(Enum value) => ProtoNames.Short(value);
}
