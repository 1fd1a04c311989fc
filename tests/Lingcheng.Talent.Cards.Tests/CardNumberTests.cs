namespace Lingcheng.Talent.Cards.Tests;

public sealed class CardNumberTests
{
    [Fact]
    public void The_spec_example_card_number_is_built_from_its_year_and_serial()
    {
        Assert.Equal("LC260002310", CardNumber.Create(26, 231));
        Assert.True(CardNumber.IsValid("LC260002310"));
    }

    [Fact]
    public void The_check_character_is_the_resident_id_scheme()
    {
        // GB 11643's published example: 11010519491231002X.
        Assert.Equal('X', Iso7064.ComputeMod11_2CheckCharacter("11010519491231002"));
        Assert.Equal('4', Iso7064.ComputeMod11_2CheckCharacter("44052418800101001")); // by the GB 11643 weight table
    }

    [Fact]
    public void Some_card_numbers_end_in_X_and_are_valid()
    {
        var withX = Enumerable.Range(0, 200).Select(serial => CardNumber.Create(26, serial)).First(n => n[^1] == 'X');
        Assert.True(CardNumber.IsValid(withX));
        Assert.False(CardNumber.IsValid(withX[..^1] + "x"));
    }

    [Fact]
    public void Changing_any_single_digit_is_detected()
    {
        var number = CardNumber.Create(26, 123456);
        for (var i = 2; i < 10; i++)
        {
            for (var d = '0'; d <= '9'; d++)
            {
                if (d == number[i])
                {
                    continue;
                }

                var tampered = number[..i] + d + number[(i + 1)..];
                Assert.False(CardNumber.IsValid(tampered), tampered);
            }
        }
    }

    [Fact]
    public void Swapping_two_adjacent_digits_is_detected()
    {
        var number = CardNumber.Create(27, 918273);
        for (var i = 2; i < 9; i++)
        {
            if (number[i] == number[i + 1])
            {
                continue;
            }

            var swapped = number[..i] + number[i + 1] + number[i] + number[(i + 2)..];
            Assert.False(CardNumber.IsValid(swapped), swapped);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("LC26000231")]
    [InlineData("LC2600023100")]
    [InlineData("lc260002310")]
    [InlineData("LX260002310")]
    [InlineData("LC2600A2310")]
    [InlineData("LC２60002310")]
    [InlineData("LC260002311")]
    public void Malformed_card_numbers_are_invalid(string? number) => Assert.False(CardNumber.IsValid(number));

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(100, 1)]
    [InlineData(26, -1)]
    [InlineData(26, 1_000_000)]
    public void Out_of_range_years_and_serials_are_refused(int year, int serial) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CardNumber.Create(year, serial));

    [Fact]
    public void A_card_number_parses_back_into_year_and_serial()
    {
        Assert.True(CardNumber.TryParse(CardNumber.Create(9, 42), out var year, out var serial));
        Assert.Equal((9, 42), (year, serial));
        Assert.False(CardNumber.TryParse("LC260002311", out _, out _));
    }
}
