namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// The outermost frame of a service's Main: a service that cannot start (its port taken, a key or
/// connection string missing, its database unreadable) exits with code 1 and ONE line on standard error
/// saying why — what an operator reads in <c>docker compose logs</c>, <c>kubectl logs</c> or the
/// AppHost's resource log — instead of an unhandled-exception stack trace and the runtime's abort code.
/// </summary>
public static class ServiceMain
{
    /// <summary>Exit code of a service that could not start.</summary>
    public const int CannotStart = 1;

    public static async Task<int> RunAsync(string service, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not Microsoft.Extensions.Hosting.HostAbortedException)
        {
            // HostAbortedException is how tools that build the host without running it (WebApplicationFactory,
            // dotnet ef) stop Main; it is theirs to see, not a failure to start.
            await Console.Error.WriteLineAsync($"{service} cannot start: {Reason(ex)}");
            return CannotStart;
        }
    }

    /// <summary>The exception's message and, when it differs, its innermost cause's, on one line.</summary>
    public static string Reason(Exception ex)
    {
        var outer = ex is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : ex;
        var inner = outer.GetBaseException();
        var text = inner == outer || outer.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? outer.Message
            : $"{outer.Message} ({inner.Message})";
        return string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
