using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Lingcheng.Talent.ServiceDefaults.Hosting;

/// <summary>
/// Secrets from files rather than environment variables (issue 25, item 3): every file in the folder named by
/// <c>SecretFiles:Directory</c> is one configuration key, its name the key with <c>__</c> for <c>:</c>, its content
/// the value (Microsoft.Extensions.Configuration.KeyPerFile, as Docker and Kubernetes mount secrets). A file
/// <c>ConnectionStringPasswords__Registry</c> is the password of <c>ConnectionStrings:Registry</c>: it is put into
/// that connection string, which the deployment sets without one (server, database, login, encryption stay
/// visible and reviewable; only the password is secret). A file <c>ConnectionStrings__Registry</c> replaces the
/// whole connection string instead. An environment variable never holds the password, so it does not show in
/// <c>docker inspect</c>, <c>/proc/PID/environ</c> or a crash dump's environment block.
/// The files are read once, at start: a new password needs a restart (docs/operations.md, database accounts).
/// </summary>
public static class SecretFiles
{
    /// <summary>The configuration key naming the folder of secret files; nothing is read when it is empty.</summary>
    public const string DirectoryKey = "SecretFiles:Directory";

    /// <summary>The section whose child <c>X</c> is the password of <c>ConnectionStrings:X</c>.</summary>
    public const string PasswordsSection = "ConnectionStringPasswords";

    /// <summary>
    /// Adds the secret files of <c>SecretFiles:Directory</c> to the configuration and puts each
    /// <c>ConnectionStringPasswords:X</c> into <c>ConnectionStrings:X</c>. Call it right after the builder is
    /// created, before anything reads a connection string.
    /// </summary>
    public static TBuilder AddSecretFiles<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddSecretFiles();
        return builder;
    }

    /// <summary>The same on a configuration alone (tests, tools).</summary>
    public static IConfigurationManager AddSecretFiles(this IConfigurationManager configuration)
    {
        var directory = configuration[DirectoryKey];
        if (string.IsNullOrWhiteSpace(directory))
        {
            return configuration;
        }

        directory = Path.GetFullPath(directory);
        if (!Directory.Exists(directory))
        {
            // A folder that is configured but missing is a secret that was not mounted: say so now, not later as
            // a failed login.
            throw new InvalidOperationException($"{DirectoryKey} is {directory}, which does not exist: the secret files are not mounted.");
        }

        configuration.AddKeyPerFile(directory, optional: false, reloadOnChange: false);

        var assembled = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var password in configuration.GetSection(PasswordsSection).GetChildren().Where(c => c.Value is not null))
        {
            var name = password.Key;
            var connectionString = configuration.GetConnectionString(name);
            if (string.IsNullOrEmpty(connectionString))
            {
                throw new InvalidOperationException(
                    $"There is a password file for the connection string {name}, but ConnectionStrings:{name} is not set.");
            }

            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            if (builder.ContainsKey("Password") || builder.ContainsKey("Pwd"))
            {
                // Two sources for one password: the one in the connection string would be forgotten when the
                // file is rotated.
                throw new InvalidOperationException(
                    $"ConnectionStrings:{name} has a password and there is a password file for it: remove the password from the connection string.");
            }

            builder["Password"] = password.Value!.TrimEnd('\r', '\n');
            assembled["ConnectionStrings:" + name] = builder.ConnectionString;
        }

        if (assembled.Count > 0)
        {
            configuration.AddInMemoryCollection(assembled);
        }

        return configuration;
    }
}
