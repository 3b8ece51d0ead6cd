using SaltHaGateway.Vrrp.Configuration;
using SaltHaGateway.Vrrp.Tracking;

namespace SaltHaGateway.Vrrp.Tests.Tracking;

public sealed class TrackFileConditionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("track-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("42", 42L)]
    [InlineData("  -17\n", -17L)]
    [InlineData("0x1f", 31L)]        // strtol base 0: hex
    [InlineData("010", 8L)]          // and octal
    [InlineData("12abc", 12L)]       // trailing text ignored
    [InlineData("abc", 0L)]          // no digits: 0
    [InlineData("", 0L)]
    [InlineData("+5", 5L)]
    public void Reads_numbers_as_strtol_does(string text, long value) => Assert.Equal(value, TrackFileCondition.ParseStrtol(text));

    [Fact]
    public void A_missing_file_is_zero_and_an_out_of_range_number_keeps_the_last_value()
    {
        var path = Path.Combine(_dir, "prio");
        Assert.Equal(0, TrackFileCondition.ReadValue(path, 5));
        File.WriteAllText(path, "99999999999");
        Assert.Equal(5, TrackFileCondition.ReadValue(path, 5));
        File.WriteAllText(path, "-3");
        Assert.Equal(-3, TrackFileCondition.ReadValue(path, 5));
    }

    [Fact]
    public void Init_file_writes_only_a_missing_file_unless_overwrite()
    {
        var path = Path.Combine(_dir, "init");
        TrackFileCondition.Initialise(new VrrpTrackFileOptions { Path = path, InitValue = 7 });
        Assert.Equal("7\n", File.ReadAllText(path));
        File.WriteAllText(path, "3");
        TrackFileCondition.Initialise(new VrrpTrackFileOptions { Path = path, InitValue = 7 });
        Assert.Equal("3", File.ReadAllText(path));
        TrackFileCondition.Initialise(new VrrpTrackFileOptions { Path = path, InitValue = 9, InitOverwrite = true });
        Assert.Equal("9\n", File.ReadAllText(path));
    }
}
