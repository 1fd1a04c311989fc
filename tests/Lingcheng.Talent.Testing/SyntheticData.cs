using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Lingcheng.Talent.Cards;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;
using Tier = Lingcheng.Talent.V1.Tier;

namespace Lingcheng.Talent.Testing;

/// <summary>
/// Synthetic, valid-looking personal data for tests: never a real person. Resident IDs carry a
/// correct GB 11643 check digit and a plausible birth date, credit codes a correct GB 32100 check
/// character. Random but thread-safe; resident IDs are never repeated within a process.
/// </summary>
/// <example><code>
/// var talent = SyntheticData.NewTalent(Tier.A);
/// var created = await registry.CreateTalentAsync(new CreateTalentRequest { RequestId = SyntheticData.RequestId(), Talent = talent }, hr);
/// </code></example>
public static class SyntheticData
{
    /// <summary>Real county-level region codes (GB/T 2260), Lingcheng first.</summary>
    public static readonly IReadOnlyList<string> RegionCodes = ["371403", "371402", "371421", "370102", "370203", "110105", "310115", "440305", "320102", "510107"];

    private static readonly ConcurrentDictionary<string, byte> IssuedResidentIds = new(StringComparer.Ordinal);

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "欧阳", "司马"];
    private static readonly string[] GivenNameCharacters = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "晓", "华", "建", "国", "文", "博", "宇", "欣"];
    private static readonly string[] Employers = ["陵城区人民医院", "德州市陵城区第一中学", "山东陵城高新材料有限公司", "陵城区农业科学研究所", "德州恒丰纺织有限公司", "陵城区中医院"];
    private static readonly string[] Programmes = ["百人计划", "十佳科技工作者", "农业英才", "行业技能英才"];

    /// <summary>A fresh client request id.</summary>
    public static string RequestId() => "req-" + Guid.NewGuid().ToString("N");

    /// <summary>A fake Chinese name of 2–4 characters, e.g. 张晓明.</summary>
    public static string ChineseName()
    {
        var given = Random.Shared.Next(1, 3);
        var builder = new StringBuilder(Pick(Surnames));
        for (var i = 0; i < given; i++)
        {
            builder.Append(Pick(GivenNameCharacters));
        }

        return builder.ToString();
    }

    /// <summary>
    /// An 18-character PRC resident ID with a correct check digit: a real region code, a birth
    /// date making the holder 25–60 years old (or <paramref name="birthDate"/>), and the sequence
    /// digit's parity matching <paramref name="male"/>. Never the same one twice in a process: the
    /// registry refuses a second talent with the same document, and a random draw from ≈ 1.3 × 10⁸
    /// IDs repeats itself among a few thousand (a 30-minute soak with 6 851 talents met one).
    /// </summary>
    /// <exception cref="InvalidOperationException">Every ID of a fixed birth date, sex and region (500) was handed out.</exception>
    public static string ResidentId(DateOnly? birthDate = null, bool? male = null, string? regionCode = null)
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var id = DrawResidentId(birthDate, male, regionCode);
            if (IssuedResidentIds.TryAdd(id, 0))
            {
                return id;
            }
        }

        throw new InvalidOperationException("No fresh resident ID is left for this birth date, sex and region: this process has handed out all of them.");
    }

    /// <summary>A resident ID whose check digit is wrong (everything else valid).</summary>
    public static string ResidentIdWithWrongCheckDigit()
    {
        var valid = ResidentId();
        var wrong = valid[17] == '0' ? '1' : '0';
        return valid[..17] + wrong;
    }

    /// <summary>A unified social credit code (GB 32100) of a company registered in Lingcheng, with a correct check character.</summary>
    public static string CreditCode()
    {
        var builder = new StringBuilder("91371403");
        for (var i = 0; i < 9; i++)
        {
            builder.Append(CreditCodes.Alphabet[Random.Shared.Next(CreditCodes.Alphabet.Length)]);
        }

        return builder.Append(CreditCodes.ComputeCheckCharacter(builder.ToString())!.Value).ToString();
    }

    /// <summary>A mainland mobile number, e.g. 13800001234 (11 digits, 1 then 3–9).</summary>
    public static string MobilePhone() =>
        "1" + Random.Shared.Next(3, 10) + Random.Shared.Next(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);

    /// <summary>A complete, valid talent (resident ID, CHN) ready for CreateTalent; no photo.</summary>
    public static V1.Talent NewTalent(Tier tier = Tier.B, string? name = null)
    {
        var male = Random.Shared.Next(2) == 0;
        return new V1.Talent
        {
            FullName = name ?? ChineseName(),
            Gender = male ? Gender.Male : Gender.Female,
            DocumentType = IdentityDocumentType.ResidentId,
            DocumentNumber = ResidentId(male: male),
            Nationality = "CHN",
            MobilePhone = MobilePhone(),
            EmployerName = Pick(Employers),
            EmployerCreditCode = CreditCode(),
            Tier = tier,
            Programme = Pick(Programmes),
        };
    }

    /// <summary>A valid 1×1 PNG image (67 bytes).</summary>
    public static byte[] TinyPng() => Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /// <summary>The start of a JPEG file (SOI and APP0 markers): enough for format detection.</summary>
    public static byte[] TinyJpeg() => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    private static string DrawResidentId(DateOnly? birthDate, bool? male, string? regionCode)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var birth = birthDate ?? today.AddYears(-Random.Shared.Next(25, 61)).AddDays(-Random.Shared.Next(0, 365));
        var isMale = male ?? Random.Shared.Next(2) == 0;
        var sequence = Random.Shared.Next(0, 100) * 10 + (Random.Shared.Next(0, 5) * 2 + (isMale ? 1 : 0));
        var first17 = (regionCode ?? Pick(RegionCodes)) + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("D3", CultureInfo.InvariantCulture);
        return first17 + Iso7064.ComputeMod11_2CheckCharacter(first17);
    }

    private static T Pick<T>(IReadOnlyList<T> items) => items[Random.Shared.Next(items.Count)];
}
