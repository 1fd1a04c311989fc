using Lingcheng.Talent.Auth;

namespace Lingcheng.Talent.Cli.Tests;

/// <summary>The development key file that the services, the web app and lct share on one machine.</summary>
public sealed class DevelopmentKeyTests
{
    [Fact]
    public async Task Many_starts_on_an_empty_data_folder_agree_on_one_key_that_only_its_owner_can_read()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lct-key-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "keys", "dev-jwt.key");
        try
        {
            using var start = new Barrier(16);
            var keys = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait(TestContext.Current.CancellationToken);
                return Convert.ToBase64String(DevelopmentTokens.FromFile(path, createIfMissing: true).SecurityKey.Key);
            }, TestContext.Current.CancellationToken)));

            Assert.Single(keys.Distinct());
            Assert.Equal(keys[0], File.ReadAllText(path).Trim());
            Assert.Equal(["dev-jwt.key"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName)); // no temporary file left
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
