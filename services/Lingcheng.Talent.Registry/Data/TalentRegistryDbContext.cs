using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// The registry service's database. The model lives here; the provider subclasses below own
/// one migration set each. Add a migration to both:
/// <code>
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Registry -c SqliteTalentRegistryDbContext -o Data/Migrations/Sqlite
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Registry -c SqlServerTalentRegistryDbContext -o Data/Migrations/SqlServer
/// </code>
/// </summary>
public class TalentRegistryDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<TalentEntity> Talents => Set<TalentEntity>();

    public DbSet<CardEntity> Cards => Set<CardEntity>();

    public DbSet<CardEventEntity> CardEvents => Set<CardEventEntity>();

    public DbSet<SigningKeyEntity> SigningKeys => Set<SigningKeyEntity>();

    public DbSet<SignedTokenEntity> SignedTokens => Set<SignedTokenEntity>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime in this model is UTC. Stored as DateTime (not DateTimeOffset) so that
        // SQLite can compare and order them in queries (expiry filters, paging).
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new AuditRecordConfiguration());
        modelBuilder.ApplyConfiguration(new IdempotencyRecordConfiguration());
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TalentRegistryDbContext).Assembly);
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

/// <summary>SQLite flavour of <see cref="TalentRegistryDbContext"/> (embedded default); migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqliteTalentRegistryDbContext(DbContextOptions<SqliteTalentRegistryDbContext> options) : TalentRegistryDbContext(options);

/// <summary>SQL Server flavour of <see cref="TalentRegistryDbContext"/> (production); migrations in Data/Migrations/SqlServer.</summary>
public sealed class SqlServerTalentRegistryDbContext(DbContextOptions<SqlServerTalentRegistryDbContext> options) : TalentRegistryDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the SQLite context.</summary>
public sealed class SqliteTalentRegistryDesignTimeFactory() : DesignTimeContextFactory<SqliteTalentRegistryDbContext>(DatabaseProvider.Sqlite);

/// <summary>Lets <c>dotnet ef</c> build the SQL Server context.</summary>
public sealed class SqlServerTalentRegistryDesignTimeFactory() : DesignTimeContextFactory<SqlServerTalentRegistryDbContext>(DatabaseProvider.SqlServer);
