using Lingcheng.Talent.ServiceDefaults.Hosting;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Lingcheng.Talent.Deploy.Tests;

/// <summary>
/// <see cref="SecretFiles"/>: the SQL password comes from a file in <c>SecretFiles:Directory</c> (as compose and
/// Kubernetes mount it) and is put into the connection string the deployment sets without one.
/// </summary>
public sealed class SecretFilesTests : IDisposable
{
    private const string Connection = "Server=sqlserver,1433;Database=LingchengRegistry;UID=lct_registry;Encrypt=Strict";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("lct-secret-files-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void A_password_file_completes_the_connection_string_and_keeps_the_rest()
    {
        // As `openssl rand` writes it: with a trailing newline, which is not part of the password.
        File.WriteAllText(Path.Combine(_folder.FullName, "ConnectionStringPasswords__Registry"), "Lc9-a;b'c=d\"e\n");
        var configuration = Configuration(new() { ["ConnectionStrings:Registry"] = Connection }).AddSecretFiles();

        var built = new SqlConnectionStringBuilder(configuration.GetConnectionString("Registry"));
        Assert.Equal("Lc9-a;b'c=d\"e", built.Password);
        Assert.Equal("lct_registry", built.UserID);
        Assert.Equal("LingchengRegistry", built.InitialCatalog);
        Assert.Equal("sqlserver,1433", built.DataSource);
        Assert.Equal(SqlConnectionEncryptOption.Strict, built.Encrypt);
    }

    [Fact]
    public void A_whole_connection_string_file_replaces_the_environments()
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "ConnectionStrings__Registry"), "Server=db.example;Database=X;User Id=u;Password=p1234567890AB;Encrypt=Strict\n");
        var configuration = Configuration(new() { ["ConnectionStrings:Registry"] = Connection }).AddSecretFiles();
        Assert.Equal("Server=db.example;Database=X;User Id=u;Password=p1234567890AB;Encrypt=Strict", configuration.GetConnectionString("Registry"));
    }

    [Fact]
    public void Without_a_configured_folder_nothing_changes()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Registry"] = Connection });
        configuration.AddSecretFiles();
        Assert.Equal(Connection, configuration.GetConnectionString("Registry"));
    }

    [Fact]
    public void A_configured_folder_that_is_missing_stops_the_start_with_the_reason()
    {
        var missing = Path.Combine(_folder.FullName, "not-mounted");
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [SecretFiles.DirectoryKey] = missing });
        var error = Assert.Throws<InvalidOperationException>(() => configuration.AddSecretFiles());
        Assert.Contains("not mounted", error.Message);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void A_password_in_the_connection_string_and_a_password_file_is_refused()
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "ConnectionStringPasswords__Registry"), "Lc9-from-the-file");
        var error = Assert.Throws<InvalidOperationException>(() =>
            Configuration(new() { ["ConnectionStrings:Registry"] = Connection + ";Password=from-the-environment" }).AddSecretFiles());
        Assert.Contains("ConnectionStrings:Registry", error.Message);
        Assert.DoesNotContain("from-the", error.Message); // never a password in a message
    }

    [Fact]
    public void A_password_file_without_its_connection_string_is_refused()
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "ConnectionStringPasswords__Verification"), "Lc9-from-the-file");
        var error = Assert.Throws<InvalidOperationException>(() => Configuration(new() { ["ConnectionStrings:Registry"] = Connection }).AddSecretFiles());
        Assert.Contains("ConnectionStrings:Verification", error.Message);
    }

    private ConfigurationManager Configuration(Dictionary<string, string?> environment)
    {
        var configuration = new ConfigurationManager();
        environment[SecretFiles.DirectoryKey] = _folder.FullName;
        configuration.AddInMemoryCollection(environment);
        return configuration;
    }
}
