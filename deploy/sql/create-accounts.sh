#!/usr/bin/env bash
# Creates (or brings up to date) the platform's SQL Server logins, users and rights with deploy/sql/accounts.sql,
# as a sysadmin, before the migrations. Idempotent: run it again after rotating a password file, or at any time.
#
# compose runs it as the job `sql-accounts` (docs/operations.md §3); a DBA runs it against any SQL Server 2022
# (Kubernetes, a managed instance; docs/operations.md §5.5) with sqlcmd (mssql-tools18) installed:
#
#   SQL_SERVER=tcp:sql.lingcheng.example,1433 SQL_ADMIN_USER=dba SQL_ADMIN_PASSWORD_FILE=~/dba.password \
#   SQL_PASSWORD_DIRECTORY=./secrets/sql deploy/sql/create-accounts.sh
#
# Settings (environment):
#   SQL_SERVER                 sqlcmd's -S (default tcp:localhost,1433)
#   SQL_ADMIN_USER             a sysadmin login (default sa)
#   SQL_ADMIN_PASSWORD_FILE    a file holding its password; or SQLCMDPASSWORD set already (sqlcmd reads it)
#   SQL_PASSWORD_DIRECTORY     the folder of the five password files: migrate.password, registry.password,
#                              entitlements.password, verification.password, identity.password
#   SQLCMD_ENCRYPTION          sqlcmd's encryption options (default "-N s": TDS 8, the server's certificate validated
#                              against the system's trusted CAs); "-N m -C" only over loopback (compose, below)
# The passwords reach sqlcmd as scripting variables through the environment, never on its command line (where `ps`
# would show them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server=${SQL_SERVER:-tcp:localhost,1433}
admin=${SQL_ADMIN_USER:-sa}
passwords=${SQL_PASSWORD_DIRECTORY:?set SQL_PASSWORD_DIRECTORY to the folder of the password files}
read -r -a encryption <<< "${SQLCMD_ENCRYPTION:--N s}"

if [ -n "${SQL_ADMIN_PASSWORD_FILE:-}" ]; then
  SQLCMDPASSWORD="$(cat "$SQL_ADMIN_PASSWORD_FILE")"
fi
export SQLCMDPASSWORD="${SQLCMDPASSWORD:?set SQL_ADMIN_PASSWORD_FILE (or SQLCMDPASSWORD) to the password of the admin login}"

# One password file per login; refused when missing, short, or holding a quote (sqlcmd puts it into a literal).
password() {
  local file="$passwords/$1.password" value
  [ -r "$file" ] || { echo "create-accounts: cannot read $file" >&2; exit 2; }
  value="$(tr -d '\r\n' < "$file")"
  if [ "${#value}" -lt 12 ] || [[ "$value" == *"'"* ]]; then
    echo "create-accounts: $file must hold 12 or more characters and no single quote" >&2
    exit 2
  fi
  printf '%s' "$value"
}
MigrationPassword="$(password migrate)"
RegistryPassword="$(password registry)"
EntitlementsPassword="$(password entitlements)"
VerificationPassword="$(password verification)"
IdentityPassword="$(password identity)"
export MigrationPassword RegistryPassword EntitlementsPassword VerificationPassword IdentityPassword

sqlcmd=$(command -v sqlcmd || true)
for candidate in /opt/mssql-tools18/bin/sqlcmd /opt/mssql-tools/bin/sqlcmd; do
  [ -n "$sqlcmd" ] || { [ -x "$candidate" ] && sqlcmd=$candidate; }
done
[ -n "$sqlcmd" ] || { echo "create-accounts: sqlcmd not found (install mssql-tools18)" >&2; exit 2; }

# -b: exit non-zero on the first error; -I: QUOTED_IDENTIFIER on (the trigger and the catalog views need it).
exec "$sqlcmd" -S "$server" -U "$admin" "${encryption[@]}" -b -I -l 30 -i "$here/accounts.sql"
