#!/usr/bin/env bash
# Creates the files deploy/compose/compose.yaml mounts as secrets, in ./secrets (or $1):
#   ca.crt, tls.crt, tls.key   an internal CA and one server certificate for the three services
#                              (names: registry, entitlements, verification, localhost and $PUBLIC_HOST)
#   personal-data.key          the registry's master key for personal data (base64 of 32 random bytes)
# It never overwrites an existing file: the personal-data key cannot be replaced once data is stored.
# Not created here (they come from outside, docs/operations.md):
#   service-token              the bearer token the services present to each other, issued by the OIDC provider
#   card-signing-key.pem       optional: a P-256 card-signing key to import (else the registry generates one)
# Usage: PUBLIC_HOST=verify.lingcheng.example ./make-secrets.sh [folder]
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
  sans="DNS:registry,DNS:entitlements,DNS:verification,DNS:localhost,IP:127.0.0.1"
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
  echo "created tls.crt for ${host} and the service names"
fi

if [ ! -f personal-data.key ]; then
  openssl rand -base64 32 > personal-data.key
  echo "created personal-data.key (BACK IT UP: without it the stored personal data cannot be read)"
fi

# The containers run as the non-root user 1654 ($APP_UID of the .NET images); compose mounts secret files
# as they are on disk, so they must be readable by that user and nobody else.
if [ "$(id -u)" = 0 ]; then
  chown 1654:1654 tls.crt tls.key personal-data.key
  [ -f service-token ] && chown 1654:1654 service-token
  [ -f card-signing-key.pem ] && chown 1654:1654 card-signing-key.pem
fi
chmod 400 tls.key personal-data.key
chmod 444 ca.crt tls.crt
[ -f service-token ] || echo "still missing: $dir/service-token (docs/operations.md, 'Service tokens')"
exit 0
