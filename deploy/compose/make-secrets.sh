#!/usr/bin/env bash
# Creates the files deploy/compose/compose.yaml mounts as secrets, in ./secrets (or $1):
#   ca.crt                     the internal CA's certificate (public; every container trusts it)
#   tls/<name>.crt, .key       one server certificate per container (issue 25, item 9), each naming that container only:
#                              registry, entitlements, verification, identity, web (the last two also $PUBLIC_HOST)
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
# The CA's private key never stays in the folder (nor anywhere on this server): it lives in a private temporary folder
# while the certificates are issued and is deleted at the end. To keep it for issuing certificates later, give
# CA_KEY_OUT=/media/offline/ca.key (removable or offline storage) at the first run, and CA_KEY=/media/offline/ca.key
# when a later run must issue one (a new container name, a renewal: delete the old .crt/.key first). Without it, a
# later run that needs a certificate stops and says so; start a new CA by removing ca.crt and every certificate.
# A certificate from the district's own CA is better for the public side: put it in tls/web.crt and tls/identity.crt
# (with their keys, full chain) and its CA in ca.crt before running this script; existing files are kept.
set -euo pipefail
dir=${1:-"$(dirname "$0")/secrets"}
host=${PUBLIC_HOST:-localhost}
days=${CERT_DAYS:-825}
mkdir -p "$dir"
cd "$dir"
umask 077

# The CA's key: in a private temporary folder (memory-backed where /dev/shm exists), removed however the script ends.
work=$(mktemp -d "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/lct-ca.XXXXXX")
trap 'rm -rf "$work"' EXIT
ca_key=""

# An older version of this script left ca.key here: use it once, then take it off the server.
if [ -f ca.key ]; then
  mv ca.key "$work/ca.key"
  ca_key="$work/ca.key"
  echo "moved the CA's private key out of ${dir} (it is deleted at the end of this run unless CA_KEY_OUT is given)"
fi

if [ ! -f ca.crt ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Lingcheng Talent internal CA" -keyout "$work/ca.key" -out ca.crt 2>/dev/null
  ca_key="$work/ca.key"
  echo "created ca.crt"
elif [ -z "$ca_key" ] && [ -n "${CA_KEY:-}" ]; then
  cp "$CA_KEY" "$work/ca.key"
  ca_key="$work/ca.key"
fi

# The CA's key, or a clear stop when a certificate must be issued without it.
need_ca() {
  if [ -z "$ca_key" ]; then
    echo "$1 is missing and the CA's private key is not here (it never stays on the server): run again with CA_KEY=<the key kept offline>," >&2
    echo "or put the certificate and its key in place, or start a new CA by removing ca.crt and every certificate." >&2
    exit 1
  fi
}

# issue <file prefix> <common name> <subjectAltName> <key kind: ec|rsa> <extended key usage>
issue() {
  local prefix=$1 cn=$2 sans=$3 kind=$4
  need_ca "${prefix}.crt"
  cat > "$work/req.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = ${cn}
[ext]
basicConstraints = CA:FALSE
keyUsage = digitalSignature$( [ "$kind" = rsa ] && echo ", keyEncipherment")
extendedKeyUsage = serverAuth
subjectAltName = ${sans}
CNF
  if [ "$kind" = rsa ]; then
    openssl req -new -newkey rsa:3072 -nodes -config "$work/req.cnf" -keyout "${prefix}.key" -out "$work/req.csr" 2>/dev/null
  else
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -config "$work/req.cnf" -keyout "${prefix}.key" -out "$work/req.csr" 2>/dev/null
  fi
  openssl x509 -req -in "$work/req.csr" -CA ca.crt -CAkey "$ca_key" -CAcreateserial -CAserial "$work/ca.srl" -days "$days" \
    -extfile "$work/req.cnf" -extensions ext -out "${prefix}.crt" 2>/dev/null
  rm -f "$work/req.csr" "$work/req.cnf"
  echo "created ${prefix}.crt for ${sans}"
}

# One certificate per container, naming it alone (and localhost for its own health check): a key taken from one
# container cannot impersonate another. The identity provider and the web app are also reached at the public name.
mkdir -p tls
for name in registry entitlements verification identity web; do
  if [ ! -f "tls/${name}.crt" ]; then
    sans="DNS:${name},DNS:localhost,IP:127.0.0.1"
    case "$name" in identity|web) [ "$host" = localhost ] || sans="DNS:${host},${sans}" ;; esac
    issue "tls/${name}" "$name" "$sans" ec
  fi
done

# SQL Server's certificate: RSA, as SQL Server's TLS wants.
if [ ! -f mssql.crt ]; then
  issue mssql sqlserver "DNS:sqlserver,DNS:localhost" rsa
fi

# The CA's key leaves only to where the operator said (offline storage); otherwise it goes with $work.
if [ -n "$ca_key" ] && [ -n "${CA_KEY_OUT:-}" ] && [ ! -e "$CA_KEY_OUT" ]; then
  cp "$ca_key" "$CA_KEY_OUT"
  chmod 400 "$CA_KEY_OUT"
  echo "wrote the CA's private key to ${CA_KEY_OUT}: keep it offline"
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
  chown 1654:1654 tls/*.crt tls/*.key personal-data.key signing-key-kek.key identity-signing.key identity-encryption.key clients/*.secret sql/*.password
  [ -f card-signing-key.pem ] && chown 1654:1654 card-signing-key.pem
  # SQL Server runs as its own user 10001 (mcr.microsoft.com/mssql/server).
  chown 10001:10001 mssql.key
fi
chmod 700 clients sql
chmod 755 tls
chmod 400 tls/*.key personal-data.key signing-key-kek.key identity-signing.key identity-encryption.key clients/*.secret sql/*.password mssql.key
chmod 444 ca.crt tls/*.crt mssql.crt
exit 0
