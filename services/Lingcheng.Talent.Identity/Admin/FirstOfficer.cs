using Lingcheng.Talent.Auth;
using Lingcheng.Talent.Identity.Accounts;
using Lingcheng.Talent.Identity.Data;
using Microsoft.AspNetCore.Identity;

namespace Lingcheng.Talent.Identity.Admin;

/// <summary>
/// The first HR officer of an install, who then creates everyone else in the HR console:
/// <c>Lingcheng.Talent.Identity add-hr-officer NAME</c> (after <c>migrate</c>) creates the account with a
/// temporary password printed once; the officer changes it and sets up the second factor at first
/// sign-in. It refuses a name already taken, so running it twice changes nothing.
/// </summary>
public static class FirstOfficer
{
    public const string Command = "add-hr-officer";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (args.Length < 2 || string.IsNullOrWhiteSpace(args[1]))
        {
            await Console.Error.WriteLineAsync($"usage: {Command} NAME   (the new HR officer's user name)");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<AccountAdministration>();
        var result = await admin.CreateAsync(new NewAccount(args[1].Trim(), Roles.HrOfficer, DisplayName: null, Agency: null, Terminal: null), "system:identity", CancellationToken.None);
        if (result.Value is not { } created)
        {
            var why = result.Problem ?? string.Join(" ", result.Errors!.SelectMany(e => e.Value));
            await Console.Error.WriteLineAsync($"{Command}: {why}");
            return 1;
        }

        Console.WriteLine($"HR officer {created.Account.UserName} created. Temporary password (shown once; changed at first sign-in, then a second factor is set up):");
        Console.WriteLine(created.TemporaryPassword);
        return 0;
    }
}
