using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Lingcheng.Talent.Auth;
using Lingcheng.Talent.ServiceDefaults.Auth;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Lingcheng.Talent.ServiceDefaults.Audit;

/// <summary>
/// Where a service keeps the signed checkpoints of its audit chains: one append-only file of JSON lines per chain,
/// <c>{Audit:CheckpointDirectory}/{chain}.checkpoints</c> (default <c>{DataDirectory}/audit</c>), outside the
/// database so that whoever can rewrite the table cannot remove the checkpoints with it; signed with the
/// <see cref="AuditCheckpointKey"/>. A chain is named after its database (<see cref="ChainOf"/>), so replicas with
/// databases of their own in one data folder keep apart, and replicas sharing one database share its checkpoints.
/// If the key cannot be read or made (a read-only file system), checkpoints are off and a warning says so once.
/// </summary>
public sealed class AuditCheckpoints
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly Lazy<AuditCheckpointKey?> _key;
    private readonly ILogger<AuditCheckpoints> _logger;

    public AuditCheckpoints(IConfiguration configuration, ILogger<AuditCheckpoints> logger)
    {
        _logger = logger;
        var data = AuthExtensions.DataDirectory(configuration);
        KeyFile = configuration["Audit:CheckpointKeyFile"] ?? Path.Combine(data, "keys", "audit-checkpoint.key");
        Directory = configuration["Audit:CheckpointDirectory"] ?? Path.Combine(data, "audit");
        Interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Audit:CheckpointSeconds", 60)));
        SweepRecords = Math.Max(1, configuration.GetValue("Audit:VerifySweepRecords", 10_000));
        _key = new(LoadKey);
    }

    /// <summary>The signing key's file (<c>Audit:CheckpointKeyFile</c>).</summary>
    public string KeyFile { get; }

    /// <summary>The folder of the checkpoint files (<c>Audit:CheckpointDirectory</c>).</summary>
    public string Directory { get; }

    /// <summary>How often the chain head is signed when it moved (<c>Audit:CheckpointSeconds</c>, 60 by default).</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// How many earlier records VerifyAuditChain re-hashes at each call after the first (<c>Audit:VerifySweepRecords</c>,
    /// 10 000 by default; <see cref="IncrementalAuditCheck"/>).
    /// </summary>
    public int SweepRecords { get; }

    /// <summary>Per chain, what this process last found intact (in memory: whoever rewrites the table cannot touch it).</summary>
    internal ConcurrentDictionary<string, IncrementalAuditCheck.Verified> Verified { get; } = new(StringComparer.Ordinal);

    /// <summary>The key, or null when checkpoints are off.</summary>
    public AuditCheckpointKey? Key => _key.Value;

    /// <summary>The chain's name: the SQLite file's name without extension, or the SQL Server database's name.</summary>
    public static string ChainOf(DbContext db)
    {
        var connection = db.Database.GetDbConnection();
        var name = connection is SqliteConnection sqlite
            ? Path.GetFileNameWithoutExtension(new SqliteConnectionStringBuilder(sqlite.ConnectionString).DataSource)
            : connection.Database;
        var safe = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return safe.Length == 0 ? "audit" : safe.ToString();
    }

    /// <summary>Every checkpoint stored for the chain, in file order, and the lines that are not checkpoints.</summary>
    public (List<AuditCheckpoint> Checkpoints, int Unreadable) Read(string chain)
    {
        var file = FileOf(chain);
        var checkpoints = new List<AuditCheckpoint>();
        var unreadable = 0;
        if (!File.Exists(file))
        {
            return (checkpoints, 0);
        }

        using var stream = Open(file, FileMode.Open, FileAccess.Read);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                checkpoints.Add(JsonSerializer.Deserialize<AuditCheckpoint>(line, Json) ?? throw new JsonException("null"));
            }
            catch (JsonException)
            {
                unreadable++;
            }
        }

        return (checkpoints, unreadable);
    }

    /// <summary>Signs the chain's head and appends the checkpoint to its file (no-op and null when checkpoints are off).</summary>
    public AuditCheckpoint? Append(string chain, AuditRecord head, DateTimeOffset now)
    {
        if (Key is not { } key)
        {
            return null;
        }

        var checkpoint = key.Sign(chain, head.Sequence, head.Hash, now);
        KeyFiles.CreateFolder(Directory);
        using var stream = Open(FileOf(chain), FileMode.OpenOrCreate, FileAccess.Write);
        stream.Seek(0, SeekOrigin.End);
        stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(checkpoint, Json) + "\n"));
        stream.Flush(flushToDisk: true);
        return checkpoint;
    }

    private string FileOf(string chain) => Path.Combine(Directory, chain + ".checkpoints");

    /// <summary>
    /// Opens the file exclusively (an advisory lock on Unix), waiting while another process of the same chain
    /// (a second replica) appends: lines are never interleaved.
    /// </summary>
    private static FileStream Open(string file, FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
        {
            options.UnixCreateMode = KeyFiles.OwnerOnlyFile;
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(file, options);
            }
            catch (IOException) when (attempt < 100 && File.Exists(file))
            {
                Thread.Sleep(20);
            }
        }
    }

    private AuditCheckpointKey? LoadKey()
    {
        try
        {
            return AuditCheckpointKey.FromFile(KeyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _logger.LogWarning("Audit checkpoints are off: the checkpoint key {KeyFile} cannot be read or created ({Problem}). " +
                "Set Audit:CheckpointKeyFile and Audit:CheckpointDirectory to a writable, persistent place.", KeyFile, ex.Message);
            return null;
        }
    }
}
