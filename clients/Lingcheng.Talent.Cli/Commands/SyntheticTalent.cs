using System.Globalization;
using Grpc.Core;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary>
/// Made-up talents with valid check digits, for the demo and tests (never real people: the
/// identity numbers are random with a correct check digit, area code 371403 Lingcheng).
/// </summary>
public static class SyntheticTalent
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "欧阳"];
    private static readonly string[] GivenNames = ["晓明", "思远", "雨桐", "志强", "海燕", "建国", "子涵", "文博", "嘉怡", "明轩"];
    private static readonly string[] Employers = ["陵城区人民医院", "德州市陵城区第一中学", "山东陵城农业科技有限公司", "陵城区农业科学研究所"];

    /// <summary>A random resident ID of Lingcheng (371403) with a correct GB 11643 check digit.</summary>
    public static string ResidentId(Random random, Gender gender)
    {
        var born = new DateOnly(1970, 1, 1).AddDays(random.Next(0, 25 * 365));
        var sequence = random.Next(0, 500) * 2 + (gender == Gender.Female ? 0 : 1); // odd: male, even: female
        var first17 = "371403" + born.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("D3", CultureInfo.InvariantCulture);
        return first17 + Cards.Iso7064.ComputeMod11_2CheckCharacter(first17);
    }

    /// <summary>A random enterprise credit code registered in Lingcheng with a correct GB 32100 check character.</summary>
    public static string CreditCode(Random random)
    {
        var organisation = new char[9];
        for (var i = 0; i < organisation.Length; i++)
        {
            organisation[i] = CreditCodes.Alphabet[random.Next(i < 8 ? 10 : CreditCodes.Alphabet.Length)];
        }

        var first17 = "91371403" + new string(organisation);
        return first17 + CreditCodes.ComputeCheckCharacter(first17);
    }

    /// <summary>A random mainland mobile number.</summary>
    public static string Mobile(Random random) => "139" + random.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>
    /// Registers a made-up talent through <paramref name="create"/>, drawing a new one when the
    /// registry answers ALREADY_EXISTS: a drawn resident ID (about 4.6 million per sex) can be one an
    /// earlier run registered, and after a few thousand demos against the same database one will be.
    /// </summary>
    public static async Task<V1.Talent> RegisterAsync(Func<V1.Talent, Task<V1.Talent>> create, Random random, Tier tier, int attempts = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await create(Create(random, tier));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists && attempt < attempts)
            {
            }
        }
    }

    /// <summary>A whole made-up talent.</summary>
    public static V1.Talent Create(Random random, Tier tier = Tier.B)
    {
        var gender = random.Next(2) == 0 ? Gender.Male : Gender.Female;
        return new V1.Talent
        {
            FullName = Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)],
            Gender = gender,
            DocumentType = IdentityDocumentType.ResidentId,
            DocumentNumber = ResidentId(random, gender),
            Nationality = "CHN",
            MobilePhone = Mobile(random),
            EmployerName = Employers[random.Next(Employers.Length)],
            EmployerCreditCode = CreditCode(random),
            Tier = tier,
            Programme = "百人计划",
        };
    }
}
