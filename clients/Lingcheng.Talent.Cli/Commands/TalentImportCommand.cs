using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Lingcheng.Talent.Cli.Infrastructure;
using Lingcheng.Talent.Client;
using Lingcheng.Talent.Rules.Talents;
using Lingcheng.Talent.V1;
using static Lingcheng.Talent.Cli.Infrastructure.CommandExtensions;

namespace Lingcheng.Talent.Cli.Commands;

/// <summary>
/// <c>lct hr talent import FILE.csv</c>: checks every row first, imports nothing from a file with a
/// bad row (unless <c>--skip-invalid</c>), then registers the rows one by one with a progress bar.
/// Each row's request id is an HMAC of the file name, line and content under a random key drawn for
/// this import (this process) and never stored: a retry within the import is recognised, yet the id
/// kept in the registry's idempotency table cannot be recomputed from the row. Running the same file
/// again registers nobody twice all the same: the registry refuses a second talent with the same
/// document, and such rows are reported as already registered.
/// </summary>
internal static class TalentImportCommand
{
    /// <summary>The key of this import's request ids: random, per process, never written anywhere.</summary>
    private static readonly byte[] ImportKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>The CSV header, in this order (programme may be left empty).</summary>
    public static readonly string[] Columns =
        ["full_name", "gender", "document_type", "document_number", "nationality", "mobile_phone", "employer_name", "employer_credit_code", "tier", "programme"];

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "CSV file (UTF-8, or GB18030 with --encoding gb18030) with the header " + string.Join(",", Columns) };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Import the valid rows even if some rows are bad (the bad ones are reported)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only check the file; register nobody" };
        var encodingOption = new Option<string>("--encoding")
        {
            Description = "The file's encoding: utf-8 (the default; a byte order mark is allowed) or gb18030 (also for GBK/GB2312: what Excel and WPS save as CSV on Chinese Windows)",
        };
        var command = new Command("import", Describe(
            "Register talents from a CSV file. Header: " + string.Join(",", Columns) + ". " +
            "gender: male|female; document_type: RESIDENT_ID|PASSPORT|HK_MACAO_PERMIT|TAIWAN_PERMIT|FOREIGN_PERMANENT_RESIDENT_ID; tier: A|B|C|D. " +
            "The file is read as UTF-8 (with or without BOM), or as GB18030 with --encoding gb18030; a byte the encoding does not allow, or a stray or unclosed quote, is reported by line and nothing is imported. " +
            "Every row is checked first and bad rows are reported by line and field; a file with a bad row imports nothing unless --skip-invalid. " +
            "Running the same file again registers nobody twice (rows already registered are reported as such).",
            "lct hr talent import talents.csv",
            "lct hr talent import talents.csv --dry-run",
            "lct hr talent import talents-excel.csv --encoding gb18030",
            "lct hr talent import talents.csv --skip-invalid --json"));
        command.With(file, skipInvalid, dryRun, encodingOption);
        return command.Runs(async (c, ct) =>
        {
            var path = c.Get(file)!;
            if (!path.Exists)
            {
                throw new CliException($"{path.FullName}: no such file");
            }

            var encoding = CsvFile.ParseEncodingName(c.Get(encodingOption));
            List<Row> rows;
            string? headerProblem;
            try
            {
                rows = ReadRows(path.FullName, out headerProblem, encoding, out _);
            }
            catch (CsvFileException ex)
            {
                // The bytes or the quoting are wrong: no row can be trusted, so nothing is checked or sent.
                if (c.Json)
                {
                    c.Out.WriteJson(new JsonObject
                    {
                        ["file"] = path.FullName,
                        ["errors"] = new JsonArray([.. ex.Problems.Select(p => (JsonNode?)new JsonObject { ["line"] = p.Line, ["problem"] = p.Problem })]),
                        ["imported"] = new JsonArray(),
                    });
                }
                else if (ex.Problems.Count > 1)
                {
                    var table = new Table("LINE", "PROBLEM");
                    foreach (var (line, problem) in ex.Problems)
                    {
                        table.Add(line.ToString(System.Globalization.CultureInfo.InvariantCulture), problem);
                    }

                    c.Out.Line($"{path.Name} cannot be read:");
                    c.Out.Write(table.Render());
                }

                throw new CliException($"{path.Name} {ex.Message}; nothing imported");
            }

            if (headerProblem is not null)
            {
                throw new CliException($"{path.Name} line 1: {headerProblem}");
            }

            var (valid, invalid) = Check(rows);
            var json = new JsonObject { ["file"] = path.FullName, ["rows"] = rows.Count };
            if (invalid.Count > 0)
            {
                if (c.Json)
                {
                    json["invalid"] = Views.Problems(invalid)["invalid"]!.DeepClone();
                }
                else
                {
                    var table = new Table("LINE", "FIELD", "PROBLEM");
                    foreach (var (line, field, problem) in invalid)
                    {
                        table.Add(line.ToString(System.Globalization.CultureInfo.InvariantCulture), field, problem);
                    }

                    c.Out.Line($"{path.Name}: {invalid.Select(p => p.Line).Distinct().Count()} of {rows.Count} row(s) are invalid:");
                    c.Out.Write(table.Render());
                }

                if (!c.Get(skipInvalid) || c.Get(dryRun))
                {
                    if (c.Json)
                    {
                        json["imported"] = new JsonArray();
                        c.Out.WriteJson(json);
                    }

                    var first = invalid[0];
                    throw new CliException(
                        $"{invalid.Select(p => p.Line).Distinct().Count()} of {rows.Count} row(s) invalid (first: line {first.Line}, {first.Field}: {first.Problem}); " +
                        (c.Get(dryRun) ? "dry run" : "nothing imported — fix the file, or import the valid rows with --skip-invalid"));
                }
            }

            if (c.Get(dryRun))
            {
                if (c.Json)
                {
                    json["valid"] = valid.Count;
                    c.Out.WriteJson(json);
                }
                else
                {
                    c.Out.Line($"{path.Name}: all {rows.Count} row(s) are valid (dry run: nothing imported).");
                }

                return ExitCodes.Success;
            }

            var registry = c.Clients(HrCommands.DefaultAs).Registry;
            var imported = new List<(int Line, V1.Talent Talent)>();
            var already = new List<int>();
            var failed = new List<(int Line, string Reason)>();
            var done = 0;
            c.Out.Progress(0, valid.Count, "importing");
            foreach (var row in valid)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var response = await registry.CreateTalentAsync(
                        new CreateTalentRequest { RequestId = RequestId(path.Name, row.Line, row.Raw), Talent = row.Talent }, CliContext.Call(ct));
                    imported.Add((row.Line, response.Talent));
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
                {
                    already.Add(row.Line); // registered before, by an earlier run of this file or otherwise
                }
                catch (RpcException ex) when (ex.StatusCode is not (StatusCode.Unavailable or StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Cancelled))
                {
                    failed.Add((row.Line, ex.Describe()));
                }

                c.Out.Progress(++done, valid.Count, "importing");
            }

            if (c.Json)
            {
                json["imported"] = new JsonArray([.. imported.Select(i => (JsonNode?)new JsonObject
                {
                    ["line"] = i.Line,
                    ["talent_id"] = i.Talent.TalentId,
                    ["full_name"] = i.Talent.FullName,
                })]);
                json["already_registered"] = new JsonArray([.. already.Select(l => (JsonNode?)l)]);
                json["failed"] = new JsonArray([.. failed.Select(f => (JsonNode?)new JsonObject { ["line"] = f.Line, ["reason"] = f.Reason })]);
                c.Out.WriteJson(json);
            }
            else
            {
                var table = new Table("LINE", "RESULT", "TALENT ID", "NAME / REASON");
                foreach (var (line, talent) in imported)
                {
                    table.Add(line.ToString(System.Globalization.CultureInfo.InvariantCulture), "imported", talent.TalentId, talent.FullName);
                }

                foreach (var line in already)
                {
                    table.Add(line.ToString(System.Globalization.CultureInfo.InvariantCulture), "already registered", "", "");
                }

                foreach (var (line, reason) in failed)
                {
                    table.Add(line.ToString(System.Globalization.CultureInfo.InvariantCulture), "failed", "", reason);
                }

                c.Out.Write(table.Render());
                c.Out.Line($"Imported {imported.Count} of {rows.Count} row(s); {already.Count} already registered; {failed.Count} failed; {rows.Count - valid.Count} invalid row(s) skipped.");
            }

            if (failed.Count > 0)
            {
                throw new CliException($"{failed.Count} row(s) were refused by the registry (first: line {failed[0].Line}: {failed[0].Reason})");
            }

            return ExitCodes.Success;
        });
    }

    /// <summary>A row of the file: its line number (the header is line 1), its cells and the talent made from them.</summary>
    public sealed record Row(int Line, string Raw, IReadOnlyDictionary<string, string> Cells)
    {
        public V1.Talent Talent { get; set; } = new();
    }

    /// <summary>
    /// Builds each row's talent and checks it. Returns the valid rows and, for the others, every
    /// problem by line and field (values are not repeated: they may be identity numbers).
    /// </summary>
    public static (List<Row> Valid, List<(int Line, string Field, string Problem)> Invalid) Check(IReadOnlyList<Row> rows)
    {
        var valid = new List<Row>();
        var invalid = new List<(int, string, string)>();
        var documents = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var problems = new List<FieldProblem>();
            var t = row.Talent = new V1.Talent
            {
                FullName = row.Cells["full_name"],
                DocumentNumber = row.Cells["document_number"].ToUpperInvariant(),
                Nationality = row.Cells["nationality"].ToUpperInvariant(),
                MobilePhone = row.Cells["mobile_phone"],
                EmployerName = row.Cells["employer_name"],
                EmployerCreditCode = row.Cells["employer_credit_code"].ToUpperInvariant(),
                Programme = row.Cells.GetValueOrDefault("programme", ""),
            };
            if (TalentRules.TryParseGender(row.Cells["gender"], out var gender))
            {
                t.Gender = gender;
            }
            else if (row.Cells["gender"].Length > 0)
            {
                problems.Add(new("gender", "expected male or female"));
            }

            if (TalentRules.TryParseDocumentType(row.Cells["document_type"], out var type))
            {
                t.DocumentType = type;
            }
            else if (row.Cells["document_type"].Length > 0)
            {
                problems.Add(new("document_type", "expected RESIDENT_ID, PASSPORT, HK_MACAO_PERMIT, TAIWAN_PERMIT or FOREIGN_PERMANENT_RESIDENT_ID"));
            }

            if (TalentRules.TryParseTier(row.Cells["tier"], out var tier))
            {
                t.Tier = tier;
            }
            else if (row.Cells["tier"].Length > 0)
            {
                problems.Add(new("tier", "expected A, B, C or D"));
            }

            // A U+FFFD in a cell is a character lost before the file reached us (a lenient conversion somewhere):
            // registering it would store a name nobody can read back.
            foreach (var (column, value) in row.Cells)
            {
                if (value.Contains('\uFFFD', StringComparison.Ordinal) && Columns.Contains(column))
                {
                    problems.Add(new(column, "contains U+FFFD (\uFFFD), a character lost in an earlier conversion of the file; export it again from the source"));
                }
            }

            problems.AddRange(TalentRules.Validate(t, DateTimeOffset.UtcNow).Where(p => problems.All(q => q.Field != p.Field)));
            if (row.Cells.ContainsKey("__extra"))
            {
                problems.Add(new("row", "has more cells than the header has columns (quote cells that contain commas)"));
            }

            if (t.DocumentNumber.Length > 0 && problems.All(p => p.Field != "document_number"))
            {
                var key = $"{t.DocumentType}:{t.DocumentNumber}";
                if (documents.TryGetValue(key, out var firstLine))
                {
                    problems.Add(new("document_number", $"the same document as line {firstLine}"));
                }
                else
                {
                    documents[key] = row.Line;
                }
            }

            if (problems.Count == 0)
            {
                valid.Add(row);
            }
            else
            {
                invalid.AddRange(problems.Select(p => (row.Line, p.Field, p.Description)));
            }
        }

        return (valid, invalid);
    }

    /// <summary>The row's request id: an HMAC of the file name, line and content under this import's random key.</summary>
    public static string RequestId(string fileName, int line, string raw) =>
        "import-" + Convert.ToHexStringLower(HMACSHA256.HashData(ImportKey, Encoding.UTF8.GetBytes($"{fileName}\n{line}\n{raw}")))[..40];

    /// <summary>
    /// Reads the CSV with <see cref="CsvFile"/>: strictly decoded (UTF-8 with or without BOM, or GB18030 when
    /// <paramref name="encoding"/> says so), RFC 4180 quoting; blank lines are skipped. A bad byte or a bad
    /// quote throws <see cref="CsvFileException"/> naming the line, and then no row is read at all.
    /// </summary>
    public static List<Row> ReadRows(string path, out string? headerProblem, string? encoding = null) =>
        ReadRows(path, out headerProblem, encoding, out _);

    /// <inheritdoc cref="ReadRows(string, out string?, string?)"/>
    public static List<Row> ReadRows(string path, out string? headerProblem, string? encoding, out string encodingUsed)
    {
        var (records, used) = CsvFile.Read(path, encoding);
        encodingUsed = used;
        headerProblem = null;
        if (records.Count == 0)
        {
            headerProblem = "the file is empty; the first line must be the header " + string.Join(",", Columns);
            return [];
        }

        var header = records[0].Cells.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var missing = Columns.Where(col => col != "programme" && !header.Contains(col)).ToList();
        var unknown = header.Where(h => !Columns.Contains(h)).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            headerProblem = (missing.Count > 0 ? $"missing column(s) {string.Join(", ", missing)}; " : "")
                + (unknown.Count > 0 ? $"unknown column(s) {string.Join(", ", unknown)}; " : "")
                + "expected the header " + string.Join(",", Columns);
            return [];
        }

        var rows = new List<Row>();
        foreach (var record in records.Skip(1))
        {
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                cells[header[i]] = i < record.Cells.Count ? record.Cells[i].Trim() : "";
            }

            foreach (var column in Columns)
            {
                cells.TryAdd(column, "");
            }

            if (record.Cells.Count > header.Length && record.Cells.Skip(header.Length).Any(x => x.Trim().Length > 0))
            {
                cells["__extra"] = "x";
            }

            rows.Add(new Row(record.Line, record.Raw, cells));
        }

        return rows;
    }
}
