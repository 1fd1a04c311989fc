using System.Security.Cryptography;

namespace Lingcheng.Talent.Client.Auth;

/// <summary>Key files that processes on one machine create on first start and then share.</summary>
public static class KeyFiles
{
    /// <summary>
    /// Reads the base64 key of <paramref name="path"/>, first creating it with 32 random bytes when
    /// <paramref name="create"/> is set and it is missing. Processes starting together on a fresh data
    /// folder (the services and the web app) agree on one key: the file is created exclusively
    /// (O_EXCL, one creator wins; a rename would let a late one replace a key others already read),
    /// owner-only on Unix, and opened with sharing on both sides so nobody meets "being used by another
    /// process"; a reader that finds it not yet written waits a moment.
    /// </summary>
    public static string Read(string path, bool create)
    {
        if (create && !File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // a secret
            }

            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; read theirs below.
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                var text = reader.ReadToEnd().Trim();
                if (text.Length > 0 && IsKey(text))
                {
                    return text;
                }

                if (attempt > 50)
                {
                    return text; // written by hand: the caller says what is wrong with it
                }
            }

            Thread.Sleep(20); // its creator has not written it yet
        }
    }

    private static bool IsKey(string text)
    {
        Span<byte> bytes = stackalloc byte[64];
        return Convert.TryFromBase64String(text, bytes, out var length) && length == 32;
    }
}
