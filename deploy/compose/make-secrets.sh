#!/usr/bin/env bash
# Creates the files deploy/compose/compose.yaml mounts as secrets, in ./secrets (or $1):
#   ca.crt, tls.crt, tls.key   an internal CA and one server certificate for every container (names: registry,
#                              entitlements, verification, identity, web, localhost and $PUBLIC_HOST)
#   personal-data.key          the registry's master key for personal data (base64 of 32 random bytes)
#   identity-signing.key       the identity provider's token-signing key (base64 of 32 random bytes: a P-256 private key)
#   identity-encryption.key    the provider's key for the codes it hands out (base64 of 32 random bytes: AES-256)
#   clients/<client>.secret    one client secret per client of the provider (base64 of 32 random bytes):
#                              lingcheng-web (the web app) and registry, entitlements, verification (client credentials)
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

new_key identity-signing.key "BACK IT UP with the identity database"
new_key identity-encryption.key
mkdir -p clients
for client in lingcheng-web registry entitlements verification; do
  new_key "clients/${client}.secret"
done

# The containers run as the non-root user 1654 ($APP_UID of the .NET images); compose mounts secret files
# as they are on disk, so they must be readable by that user and nobody else.
if [ "$(id -u)" = 0 ]; then
  chown 1654:1654 tls.crt tls.key personal-data.key identity-signing.key identity-encryption.key clients/*.secret
  [ -f card-signing-key.pem ] && chown 1654:1654 card-signing-key.pem
fi
chmod 700 clients
chmod 400 tls.key personal-data.key identity-signing.key identity-encryption.key clients/*.secret
chmod 444 ca.crt tls.crt
exit 0
