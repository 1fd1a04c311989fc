using System.Security.Cryptography;

namespace Lingcheng.Talent.Auth;

/// <summary>Key files that processes on one machine create on first start and then share.</summary>
public static class KeyFiles
{
    /// <summary>Mode of a key file on Unix: owner read and write, nobody else anything.</summary>
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Mode of a folder this class creates for a key on Unix: the owner only.</summary>
    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Reads the base64 key of <paramref name="path"/>, first creating it with 32 random bytes when
    /// <paramref name="create"/> is set and it is missing. Processes starting together on a fresh data
    /// folder (the services and the web app) agree on one key: the file is created exclusively
    /// (O_EXCL, one creator wins; a rename would let a late one replace a key others already read),
    /// owner-only on Unix (0600, in folders created 0700), and opened with sharing on both sides so nobody
    /// meets "being used by another process"; a reader that finds it not yet written waits a moment.
    /// </summary>
    public static string Read(string path, bool create) =>
        Read(path, create, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), IsKey);

    /// <summary>
    /// Reads the text of a key file, first creating it with <paramref name="newKey"/> when <paramref name="create"/>
    /// is set and it is missing, as <see cref="Read(string, bool)"/> does; <paramref name="isComplete"/> says when
    /// the text read is a whole key (not one its creator is still writing).
    /// </summary>
    public static string Read(string path, bool create, Func<string> newKey, Func<string, bool> isComplete)
    {
        if (create && !File.Exists(path))
        {
            CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile; // a secret
            }

            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(System.Text.Encoding.ASCII.GetBytes(newKey()));
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
                if (text.Length > 0 && isComplete(text))
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

    /// <summary>
    /// Creates <paramref name="folder"/> and any missing parent, each owner-only (0700) on Unix. A folder that
    /// exists already keeps its mode: it may be shared on purpose (a configured path such as <c>/run/secrets</c>).
    /// </summary>
    public static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            // One level at a time: CreateDirectory gives the mode to the last folder only, its parents get 0755.
            var missing = new Stack<string>();
            for (var dir = Path.GetFullPath(folder); !Directory.Exists(dir); dir = Path.GetDirectoryName(dir)!)
            {
                missing.Push(dir);
            }

            while (missing.TryPop(out var dir))
            {
                Directory.CreateDirectory(dir, OwnerOnlyFolder);
            }
        }
    }

    private static bool IsKey(string text)
    {
        Span<byte> bytes = stackalloc byte[64];
        return Convert.TryFromBase64String(text, bytes, out var length) && length == 32;
    }
}
