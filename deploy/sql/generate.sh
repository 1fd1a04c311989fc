#!/usr/bin/env bash
# Writes the idempotent SQL Server migration scripts of the three databases to deploy/sql/:
#   registry.sql, entitlements.sql, verification.sql
# for a DBA who applies schema changes by hand (or reviews them) instead of running the migration jobs.
# Each script checks __EFMigrationsHistory and applies only what is missing, so it can be run on any version.
# Run it after changing any service's migrations; tests/Lingcheng.Talent.Deploy.Tests fails while the committed
# scripts differ from what the migrations generate.
#   deploy/sql/generate.sh            (from anywhere; builds the three services first)
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet tool restore >/dev/null
for pair in Registry:SqlServerTalentRegistryDbContext Entitlements:SqlServerEntitlementDbContext Verification:SqlServerVerificationDbContext; do
  service=${pair%%:*}
  context=${pair##*:}
  project=services/Lingcheng.Talent.$service
  out=deploy/sql/$(echo "$service" | tr '[:upper:]' '[:lower:]').sql
  dotnet build "$project" -v q -nologo >/dev/null
  dotnet ef migrations script --idempotent --no-build -p "$project" -c "$context" -o "$out"
  echo "wrote $out"
done
