using System.Text;

namespace Lingcheng.Talent.Cards.Tests;

public sealed class Base45Tests
{
    [Theory]
    [InlineData("AB", "BB8")]
    [InlineData("Hello!!", "%69 VD92EX0")]
    [InlineData("base-45", "UJCLQE7W581")]
    [InlineData("ietf!", "QED8WEX0")]
    [InlineData("", "")]
    public void Rfc_9285_vectors_encode_and_decode(string plain, string encoded)
    {
        Assert.Equal(encoded, Base45.Encode(Encoding.ASCII.GetBytes(plain)));
        Assert.True(Base45.TryDecode(encoded, out var decoded));
        Assert.Equal(plain, Encoding.ASCII.GetString(decoded));
    }

    [Theory]
    [InlineData("GGW")] // 65536: one more than two bytes hold
    [InlineData(":::")] // 44 + 44·45 + 44·45² = 91124
    [InlineData("U6")] // 30 + 6·45 = 300: more than one byte holds
    [InlineData("A")] // one character is never a whole group
    [InlineData("BB8A")]
    [InlineData("bb8")] // RFC 9285 has no lower case
    [InlineData("BB#")]
    [InlineData("BBé")]
    [InlineData("BB\u0000")]
    public void Invalid_texts_are_refused_without_exceptions(string text)
    {
        Assert.False(Base45.TryDecode(text, out var decoded));
        Assert.Null(decoded);
    }

    [Fact]
    public void Any_bytes_survive_a_round_trip()
    {
        var random = new Random(45);
        for (var length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var text = Base45.Encode(data);
            Assert.Equal(Base45.GetEncodedLength(length), text.Length);
            Assert.True(Base45.TryDecode(text, out var back));
            Assert.Equal(data, back);
        }
    }

    [Fact]
    public void Decoding_into_a_short_buffer_fails_instead_of_overrunning()
    {
        Assert.False(Base45.TryDecode("%69 VD92EX0", stackalloc byte[6], out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void The_largest_groups_decode_to_all_ones()
    {
        // FGW = 15 + 16·45 + 32·45² = 65535, the largest valid group.
        Assert.True(Base45.TryDecode("FGW", out var bytes));
        Assert.Equal(new byte[] { 0xFF, 0xFF }, bytes);
        Assert.True(Base45.TryDecode("U5", out var one));
        Assert.Equal(new byte[] { 0xFF }, one);
    }
}
