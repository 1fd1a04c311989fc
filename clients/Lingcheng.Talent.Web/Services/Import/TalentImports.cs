using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Grpc.Core;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;
using Lingcheng.Talent.Web.Auth;

namespace Lingcheng.Talent.Web.Services.Import;

/// <summary>What became of one row: checked in the dry run, then registered (or not) by the import.</summary>
public sealed class ImportRow(int line, V1.Talent talent)
{
    public int Line { get; } = line;

    public V1.Talent Talent { get; } = talent;

    /// <summary>Field → problem, from the file (a cell that is not a gender, say) or from the registry's BadRequest.</summary>
    public Dictionary<string, string> Problems { get; } = new(StringComparer.Ordinal);

    /// <summary>The registry already has this document: the import skips the row.</summary>
    public bool AlreadyRegistered { get; set; }

    /// <summary>Drawn once for the row, so a retried call registers it once.</summary>
    public string RequestId { get; } = "import-" + Guid.NewGuid().ToString("N");

    public string? TalentId { get; set; }

    public string? Failure { get; set; }

    public bool Valid => Problems.Count == 0 && !AlreadyRegistered;
}

/// <summary>One uploaded file: its dry run, then its import, with the progress a page shows and polls.</summary>
public sealed class ImportJob(string id, string fileName, string encoding, IReadOnlyList<ImportRow> rows)
{
    private readonly Stopwatch _watch = new();
    private int _done;

    public string Id { get; } = id;

    public string FileName { get; } = fileName;

    public string Encoding { get; } = encoding;

    public IReadOnlyList<ImportRow> Rows { get; } = rows;

    public IEnumerable<ImportRow> ToImport => Rows.Where(r => r.Valid);

    public bool Started { get; private set; }

    public bool Finished { get; private set; }

    public int Done => Volatile.Read(ref _done);

    public int Total => ToImport.Count();

    public double RowsPerSecond => Done == 0 ? 0 : Done / Math.Max(0.001, _watch.Elapsed.TotalSeconds);

    public TimeSpan? TimeLeft => RowsPerSecond == 0 ? null : TimeSpan.FromSeconds((Total - Done) / RowsPerSecond);

    internal bool TryStart()
    {
        lock (_watch)
        {
            if (Started)
            {
                return false;
            }

            Started = true;
            _watch.Start();
            return true;
        }
    }

    internal void RowDone() => Interlocked.Increment(ref _done);

    internal void Finish()
    {
        _watch.Stop();
        Finished = true;
    }

    /// <summary>The result as CSV (UTF-8 with a BOM): one line per row of the file, with what happened to it.</summary>
    public byte[] ResultCsv()
    {
        var csv = new StringBuilder("line,result,talent_id,detail\r\n");
        foreach (var row in Rows)
        {
            var (result, detail) = row switch
            {
                { TalentId: not null } => ("registered", ""),
                { AlreadyRegistered: true } => ("already_registered", ""),
                { Problems.Count: > 0 } => ("invalid", string.Join("; ", row.Problems.Select(p => $"{p.Key}: {p.Value}"))),
                { Failure: not null } => ("failed", row.Failure),
                _ => ("not_imported", ""),
            };
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{row.Line},{result},{row.TalentId},\"{detail.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\r\n");
        }

        return [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(csv.ToString())];
    }
}

/// <summary>
/// Bulk import of talents (<c>/hr/import</c>): a dry run that asks the registry to check every row
/// (<c>validate_only</c>: its rules, not a copy), then the import in the background, with progress the
/// page polls and that a reload finds again. Jobs live in the web app's memory until it restarts (the talents registered are in the registry).
/// </summary>
public sealed class TalentImports(TalentClients clients, ILogger<TalentImports> logger)
{
    /// <summary>Rows one file may have.</summary>
    public const int MaxRows = 20_000;

    private const int Parallel = 4;
    private readonly ConcurrentDictionary<string, ImportJob> _jobs = new(StringComparer.Ordinal);

    public ImportJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>Reads the file and checks every row with the registry; the job is ready to import its valid rows.</summary>
    public async Task<(ImportJob? Job, string? Problem)> DryRunAsync(WebUser user, string fileName, byte[] bytes, string? encoding, CancellationToken cancellationToken)
    {
        var file = TalentCsv.Read(bytes, encoding);
        if (file.Problem is not null)
        {
            return (null, file.Problem);
        }

        if (file.Rows.Count > MaxRows)
        {
            return (null, $"the file has {file.Rows.Count} rows; at most {MaxRows} can be imported at once");
        }

        var rows = file.Rows.Select(ToRow).ToList();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows.Where(r => r.Talent.DocumentNumber.Length > 0))
        {
            var key = $"{row.Talent.DocumentType}:{row.Talent.DocumentNumber}";
            if (!firstLineOf.TryAdd(key, row.Line))
            {
                row.Problems.TryAdd("document_number", $"the same document as line {firstLineOf[key]}");
            }
        }

        await System.Threading.Tasks.Parallel.ForEachAsync(rows.Where(r => r.Problems.Count == 0), new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancellationToken }, async (row, ct) =>
        {
            try
            {
                await clients.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = row.RequestId, Talent = row.Talent, ValidateOnly = true }, user.Call(ct));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
            {
                row.AlreadyRegistered = true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
            {
                foreach (var (field, description) in ex.FieldViolations())
                {
                    row.Problems.TryAdd(field.StartsWith("talent.", StringComparison.Ordinal) ? field["talent.".Length..] : field, description);
                }
            }
        });

        var job = new ImportJob(Guid.NewGuid().ToString("N"), fileName, file.Encoding, rows);
        _jobs[job.Id] = job;
        return (job, null);
    }

    /// <summary>Starts registering the job's valid rows in the background (once); the page follows its progress.</summary>
    public bool Start(WebUser user, ImportJob job)
    {
        if (!job.TryStart())
        {
            return false;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await System.Threading.Tasks.Parallel.ForEachAsync(job.ToImport.ToList(), new ParallelOptions { MaxDegreeOfParallelism = Parallel }, async (row, ct) =>
                {
                    try
                    {
                        var created = await clients.Registry.CreateTalentAsync(new CreateTalentRequest { RequestId = row.RequestId, Talent = row.Talent }, user.Call(ct));
                        row.TalentId = created.Talent.TalentId;
                    }
                    catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
                    {
                        row.AlreadyRegistered = true; // registered meanwhile (another import, a clerk)
                    }
                    catch (RpcException ex)
                    {
                        row.Failure = ex.Describe();
                    }
                    finally
                    {
                        job.RowDone();
                    }
                });
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Import {Job} stopped", job.Id);
            }
            finally
            {
                job.Finish();
            }
        });
        return true;
    }

    private static ImportRow ToRow(CsvRow csv)
    {
        var cells = csv.Cells;
        var talent = new V1.Talent
        {
            FullName = cells["full_name"],
            DocumentNumber = cells["document_number"].ToUpperInvariant(),
            Nationality = cells["nationality"].ToUpperInvariant(),
            MobilePhone = cells["mobile_phone"],
            EmployerName = cells["employer_name"],
            EmployerCreditCode = cells["employer_credit_code"].ToUpperInvariant(),
            Programme = cells.GetValueOrDefault("programme", ""),
        };
        var row = new ImportRow(csv.Line, talent);
        if (csv.Problem is not null)
        {
            row.Problems["row"] = csv.Problem;
        }

        // The cells' words (男/female, RESIDENT_ID, B …) are read by the SDK, as lct reads them; the rules are the registry's.
        if (TalentRules.TryParseGender(cells["gender"], out var gender))
        {
            talent.Gender = gender;
        }
        else
        {
            row.Problems["gender"] = "expected male or female (男/女)";
        }

        if (TalentRules.TryParseDocumentType(cells["document_type"], out var type))
        {
            talent.DocumentType = type;
        }
        else
        {
            row.Problems["document_type"] = "expected RESIDENT_ID, PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT or FOREIGN_PERMANENT_RESIDENT_ID";
        }

        if (TalentRules.TryParseTier(cells["tier"], out var tier))
        {
            talent.Tier = tier;
        }
        else
        {
            row.Problems["tier"] = "expected A, B, C or D";
        }

        return row;
    }
}
