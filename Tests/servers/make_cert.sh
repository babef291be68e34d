#!/usr/bin/env bash
# Usage: make_cert.sh DIR
# Writes DIR/cert.pem and DIR/key.pem: a self-signed RSA-2048 certificate for
# CN=localhost, subjectAltName IP:127.0.0.1,DNS:localhost, valid 2 days.
# Prints the two paths (cert first, then key), one per line.
set -euo pipefail
dir=${1:?usage: make_cert.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cert="$dir/cert.pem"
key="$dir/key.pem"
# -addext needs OpenSSL >= 1.1.1 (Debian 11+ has it).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
  -keyout "$key" -out "$cert" \
  -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
  -addext "extendedKeyUsage=serverAuth" \
  >/dev/null 2>&1 || {
    echo "make_cert.sh: openssl req failed" >&2
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$key" -out "$cert" \
      -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" >&2
    exit 1
  }
chmod 600 "$key"
chmod 644 "$cert"
echo "$cert"
echo "$key"
