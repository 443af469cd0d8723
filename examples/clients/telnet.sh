#!/usr/bin/env bash
# The telnet protocol with nc: put (seconds), putm (milliseconds), puts (string), version.
set -euo pipefail
HOST=${KAIROSDB_TELNET:-localhost:4242}
NOW=$(date +%s)
printf 'put example.load %s 0.5 host=a\nputm example.load %s000 0.7 host=a\nputs example.note %s000 "deployed v2" host=a\nversion\n' \
    "$NOW" "$NOW" "$NOW" | nc -q 1 "${HOST%:*}" "${HOST#*:}"
