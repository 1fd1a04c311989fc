using Lingcheng.Talent.Identity.Accounts;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Identity.Data;

/// <summary>
/// The identity provider's database: ASP.NET Core Identity's accounts, OpenIddict's clients, codes and
/// tokens, and the audit chain of every sign-in and account change. Migrations as the other services:
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Identity -c SqliteIdentityDb -o Data/Migrations/Sqlite
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Identity -c SqlServerIdentityDb -o Data/Migrations/SqlServer
/// </summary>
public class IdentityDb(DbContextOptions options) : IdentityDbContext<Account>(options)
{
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();
        builder.ApplyConfiguration(new AuditRecordConfiguration());
        builder.Entity<Account>(b =>
        {
            b.Property(a => a.Role).HasMaxLength(32);
            b.Property(a => a.DisplayName).HasMaxLength(100);
            b.Property(a => a.Agency).HasMaxLength(32);
            b.Property(a => a.Terminal).HasMaxLength(64);
            b.Property(a => a.Card).HasMaxLength(32);
            b.Property(a => a.ActivationCodeHash).HasMaxLength(200);
            b.Property(a => a.DocumentTailHash).HasMaxLength(200);
            b.HasIndex(a => a.Card);
        });
    }
}

/// <summary>SQLite flavour (embedded default); migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqliteIdentityDb(DbContextOptions<SqliteIdentityDb> options) : IdentityDb(options);

/// <summary>SQL Server flavour (production); migrations in Data/Migrations/SqlServer.</summary>
public sealed class SqlServerIdentityDb(DbContextOptions<SqlServerIdentityDb> options) : IdentityDb(options);

public sealed class SqliteIdentityDesignTimeFactory() : DesignTimeContextFactory<SqliteIdentityDb>(DatabaseProvider.Sqlite);

public sealed class SqlServerIdentityDesignTimeFactory() : DesignTimeContextFactory<SqlServerIdentityDb>(DatabaseProvider.SqlServer);
