#!/usr/bin/env bash
# Creates the files deploy/compose/compose.yaml mounts as secrets, in ./secrets (or $1):
#   ca.crt, tls.crt, tls.key   an internal CA and one server certificate for every container (names: registry,
#                              entitlements, verification, identity, web, localhost and $PUBLIC_HOST)
#   personal-data.key          the registry's master key for personal data (base64 of 32 random bytes)
#   signing-key-kek.key        the registry's key-encryption key for the card-signing keys, separate from the
#                              personal-data key (base64 of 32 random bytes)
#   identity-signing.key       the identity provider's token-signing key (base64 of 32 random bytes: a P-256 private key)
#   identity-encryption.key    the provider's key for the codes it hands out (base64 of 32 random bytes: AES-256)
#   clients/<client>.secret    one client secret per client of the provider (base64 of 32 random bytes):
#                              lingcheng-web (the web app) and registry, entitlements, verification (client credentials)
#   mssql.crt, mssql.key       SQL Server's TLS certificate (RSA, name: sqlserver) from the same CA: the programs
#                              connect with Encrypt=Strict and validate it against ca.crt
#   sql/<login>.password       one SQL Server password per login (deploy/sql/accounts.sql): migrate, registry,
#                              entitlements, verification, identity
# It never overwrites an existing file: the personal-data key cannot be replaced once data is stored, and a new
# signing key would end every session and token the provider has issued.
# Not created here (docs/operations.md):
#   card-signing-key.pem       optional: a P-256 card-signing key to import (else the registry generates one)
# Usage: PUBLIC_HOST=talent.lingcheng.example ./make-secrets.sh [folder]
# A certificate from the district's own CA is better for the public side: put it in tls.crt/tls.key
# (full chain) and its CA in ca.crt before running this script; existing files are kept.
set -euo pipefail
dir=${1:-"$(dirname "$0")/secrets"}
host=${PUBLIC_HOST:-localhost}
days=${CERT_DAYS:-825}
mkdir -p "$dir"
cd "$dir"
umask 077

if [ ! -f ca.key ] && [ ! -f ca.crt ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Lingcheng Talent internal CA" -keyout ca.key -out ca.crt 2>/dev/null
  echo "created ca.crt (keep ca.key offline)"
fi

if [ ! -f tls.crt ]; then
  sans="DNS:registry,DNS:entitlements,DNS:verification,DNS:identity,DNS:web,DNS:localhost,IP:127.0.0.1"
  [ "$host" = localhost ] || sans="DNS:${host},${sans}"
  cat > tls.cnf <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = ${host}
[ext]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${sans}
CNF
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -config tls.cnf \
    -keyout tls.key -out tls.csr 2>/dev/null
  openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" \
    -extfile tls.cnf -extensions ext -out tls.crt 2>/dev/null
  rm -f tls.csr tls.cnf ca.srl
  echo "created tls.crt for ${host} and the container names"
fi

if [ ! -f mssql.crt ]; then
  if [ ! -f ca.key ]; then
    echo "no mssql.crt, and no ca.key to issue one: put SQL Server's certificate (RSA, name sqlserver, from the CA in ca.crt) and its key in mssql.crt and mssql.key" >&2
    exit 1
  fi
  # RSA: SQL Server's TLS wants an RSA key.
  cat > mssql.cnf <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = sqlserver
[ext]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:sqlserver,DNS:localhost
CNF
  openssl req -new -newkey rsa:3072 -nodes -config mssql.cnf -keyout mssql.key -out mssql.csr 2>/dev/null
  openssl x509 -req -in mssql.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" \
    -extfile mssql.cnf -extensions ext -out mssql.crt 2>/dev/null
  rm -f mssql.csr mssql.cnf ca.srl
  echo "created mssql.crt for SQL Server (sqlserver)"
fi

if [ ! -f personal-data.key ]; then
  openssl rand -base64 32 > personal-data.key
  echo "created personal-data.key (BACK IT UP: without it the stored personal data cannot be read)"
fi

# A random key or secret (base64 of 32 bytes), created only when missing; owner-only from the umask above.
new_key() {
  if [ ! -f "$1" ]; then
    openssl rand -base64 32 > "$1"
    echo "created $1${2:+ ($2)}"
  fi
}

new_key signing-key-kek.key "BACK IT UP with the registry database: without it the card-signing keys cannot be read"
new_key identity-signing.key "BACK IT UP with the identity database"
new_key identity-encryption.key
mkdir -p clients
for client in lingcheng-web registry entitlements verification; do
  new_key "clients/${client}.secret"
done

# SQL Server passwords: the prefix meets SQL Server's policy (upper, lower, digit, symbol) whatever the random part;
# base64 has no quote or semicolon. Rotate one by replacing its file and running the job sql-accounts again.
mkdir -p sql
for login in migrate registry entitlements verification identity; do
  if [ ! -f "sql/${login}.password" ]; then
    printf 'Lc9-%s\n' "$(openssl rand -base64 33 | tr -d '\n')" > "sql/${login}.password"
    echo "created sql/${login}.password"
  fi
done

# The containers run as the non-root user 1654 ($APP_UID of the .NET images); compose mounts secret files
# as they are on disk, so they must be readable by that user and nobody else.
if [ "$(id -u)" = 0 ]; then
  chown 1654:1654 tls.crt tls.key personal-data.key signing-key-kek.key identity-signing.key identity-encryption.key clients/*.secret sql/*.password
  [ -f card-signing-key.pem ] && chown 1654:1654 card-signing-key.pem
  # SQL Server runs as its own user 10001 (mcr.microsoft.com/mssql/server).
  chown 10001:10001 mssql.key
fi
chmod 700 clients sql
chmod 400 tls.key personal-data.key signing-key-kek.key identity-signing.key identity-encryption.key clients/*.secret sql/*.password mssql.key
chmod 444 ca.crt tls.crt mssql.crt
exit 0
