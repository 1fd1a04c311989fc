using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Verification.Data;

/// <summary>
/// The verification service's database. The model lives here; the provider subclasses below own
/// one migration set each. Add a migration to both:
/// <code>
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Verification -c SqliteVerificationDbContext -o Data/Migrations/Sqlite
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Verification -c SqlServerVerificationDbContext -o Data/Migrations/SqlServer
/// </code>
/// </summary>
public class VerificationDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<AgencyEntity> Agencies => Set<AgencyEntity>();

    public DbSet<CardStateEntity> CardStates => Set<CardStateEntity>();

    public DbSet<FeedCursorEntity> FeedCursor => Set<FeedCursorEntity>();

    public DbSet<CardVerificationEntity> CardVerifications => Set<CardVerificationEntity>();

    public DbSet<TrustedKeyEntity> TrustedKeys => Set<TrustedKeyEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // No index on AuditRecords.Target: "who verified this card" is CardVerifications' index, and a
        // second random index page per verify was ≈ 40 % of the audit's disk writes (docs/performance.md).
        modelBuilder.ApplyConfiguration(new AuditRecordConfiguration(indexTarget: false));
        modelBuilder.ApplyConfiguration(new IdempotencyRecordConfiguration());
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(VerificationDbContext).Assembly);
    }
}

/// <summary>SQLite flavour of <see cref="VerificationDbContext"/> (embedded default); migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqliteVerificationDbContext(DbContextOptions<SqliteVerificationDbContext> options) : VerificationDbContext(options);

/// <summary>SQL Server flavour of <see cref="VerificationDbContext"/> (production); migrations in Data/Migrations/SqlServer.</summary>
public sealed class SqlServerVerificationDbContext(DbContextOptions<SqlServerVerificationDbContext> options) : VerificationDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the SQLite context.</summary>
public sealed class SqliteVerificationDesignTimeFactory() : DesignTimeContextFactory<SqliteVerificationDbContext>(DatabaseProvider.Sqlite);

/// <summary>Lets <c>dotnet ef</c> build the SQL Server context.</summary>
public sealed class SqlServerVerificationDesignTimeFactory() : DesignTimeContextFactory<SqlServerVerificationDbContext>(DatabaseProvider.SqlServer);
