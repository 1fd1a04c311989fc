using System.Security.Cryptography;
using System.Text;
using Lingcheng.Talent.Cli.Commands;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>
/// The CSV import's request ids end up in the registry's idempotency table: they must not be a hash
/// anyone holding the file (or guessing a row) can recompute (issue 25, item 8).
/// </summary>
public sealed class ImportRequestIdTests
{
    [Fact]
    public void An_import_request_id_is_keyed_and_not_a_plain_hash_of_the_row()
    {
        const string raw = "张晓明,male,RESIDENT_ID,371403199001011234,CHN,13800000000,灵城科技,91371403MA3C12345X,A,";
        var plain = "import-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"talents.csv\n2\n{raw}")))[..40];

        var id = TalentImportCommand.RequestId("talents.csv", 2, raw);

        Assert.NotEqual(plain, id);
        Assert.DoesNotContain(plain["import-".Length..][..16], id);
        Assert.StartsWith("import-", id);
    }
}
