using System.Diagnostics;

namespace Lingcheng.Talent.LoadGenerator;

/// <summary>CPU time and resident memory of processes (the services, and the generator itself), read from the operating system.</summary>
public static class ProcessMeter
{
    /// <summary>Total CPU time (user + system) the processes have used so far; a process that is gone counts zero.</summary>
    public static TimeSpan CpuTime(IEnumerable<int?> processIds)
    {
        var total = TimeSpan.Zero;
        foreach (var id in processIds)
        {
            if (id is not { } pid)
            {
                continue;
            }

            try
            {
                using var process = Process.GetProcessById(pid);
                total += process.TotalProcessorTime;
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }

        return total;
    }

    /// <summary>Resident set size in bytes (VmRSS on Linux, the working set elsewhere).</summary>
    public static long ResidentBytes(int processId)
    {
        var status = $"/proc/{processId}/status";
        if (File.Exists(status))
        {
            foreach (var line in File.ReadLines(status))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    return kb * 1024;
                }
            }
        }

        using var process = Process.GetProcessById(processId);
        return process.WorkingSet64;
    }
}
