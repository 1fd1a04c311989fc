using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Lingcheng.Talent.Entitlements.Data;

/// <summary>
/// The entitlements service's database. The model lives here; the provider subclasses below own
/// one migration set each. Add a migration to both:
/// <code>
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Entitlements -c SqliteEntitlementDbContext -o Data/Migrations/Sqlite
/// dotnet ef migrations add NAME -p services/Lingcheng.Talent.Entitlements -c SqlServerEntitlementDbContext -o Data/Migrations/SqlServer
/// </code>
/// </summary>
public class EntitlementDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<BenefitEntity> Benefits => Set<BenefitEntity>();

    public DbSet<BenefitRevisionEntity> BenefitRevisions => Set<BenefitRevisionEntity>();

    public DbSet<CardStateEntity> CardStates => Set<CardStateEntity>();

    public DbSet<CardFeedCursorEntity> CardFeedCursor => Set<CardFeedCursorEntity>();

    public DbSet<RedemptionEntity> Redemptions => Set<RedemptionEntity>();

    public DbSet<UsageCounterEntity> UsageCounters => Set<UsageCounterEntity>();

    public DbSet<UsageChangeEntity> UsageChanges => Set<UsageChangeEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new AuditRecordConfiguration());
        modelBuilder.ApplyConfiguration(new IdempotencyRecordConfiguration());
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(EntitlementDbContext).Assembly);
    }
}

/// <summary>SQLite flavour of <see cref="EntitlementDbContext"/> (embedded default); migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqliteEntitlementDbContext(DbContextOptions<SqliteEntitlementDbContext> options) : EntitlementDbContext(options);

/// <summary>SQL Server flavour of <see cref="EntitlementDbContext"/> (production); migrations in Data/Migrations/SqlServer.</summary>
public sealed class SqlServerEntitlementDbContext(DbContextOptions<SqlServerEntitlementDbContext> options) : EntitlementDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the SQLite context.</summary>
public sealed class SqliteEntitlementDesignTimeFactory() : DesignTimeContextFactory<SqliteEntitlementDbContext>(DatabaseProvider.Sqlite);

/// <summary>Lets <c>dotnet ef</c> build the SQL Server context.</summary>
public sealed class SqlServerEntitlementDesignTimeFactory() : DesignTimeContextFactory<SqlServerEntitlementDbContext>(DatabaseProvider.SqlServer);
