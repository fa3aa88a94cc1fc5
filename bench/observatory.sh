#!/usr/bin/env bash
# Grade the production configuration with the MDN HTTP Observatory, offline, on this machine.
#
# Serves the app with production settings (DEBUG=0, HTTPS_ONLY=1) through gunicorn on
# 127.0.0.1:443 (TLS, a self-signed certificate made here) and 127.0.0.1:80 (plain HTTP, which
# SECURE_SSL_REDIRECT sends to https), maps the name archive.test to 127.0.0.1 in /etc/hosts,
# scans that name with the Observatory's own scanner, and prints the grade, the score and every
# test. Needs root (ports 80/443, /etc/hosts), node and openssl. Not run by CI: it binds 80/443.
#
#   bash bench/observatory.sh            # prints the summary; JSON in bench/out/observatory/
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HOST=archive.test
OUT=$ROOT/bench/out/observatory
TOOL_DIR=$ROOT/bench/observatory
TOOL=$TOOL_DIR/node_modules/@mdn/mdn-http-observatory
PY=$ROOT/.venv/bin/python
mkdir -p "$OUT"

for port in 80 443; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port on 127.0.0.1 is already in use; stop that server first." >&2
    exit 1
  fi
done

echo "== scanner (npm, into the git-ignored bench/observatory/node_modules)"
if [ ! -f "$TOOL/src/scan.js" ]; then
  (cd "$TOOL_DIR" && npm ci --ignore-scripts --no-audit --no-fund --silent)
fi
# Offline stubs for the two lists the scanner would otherwise download.
[ -f "$TOOL/conf/hsts-preload.json" ] || echo '{}' >"$TOOL/conf/hsts-preload.json"
[ -f "$TOOL/conf/tld-list.json" ] || echo '[]' >"$TOOL/conf/tld-list.json"

echo "== $HOST -> 127.0.0.1"
grep -qE "^127\.0\.0\.1[[:space:]]+$HOST\$" /etc/hosts || echo "127.0.0.1 $HOST" >>/etc/hosts

echo "== certificate"
if [ ! -f "$OUT/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$HOST" \
    -addext "subjectAltName=DNS:$HOST" -keyout "$OUT/key.pem" -out "$OUT/cert.pem" 2>/dev/null
fi

echo "== production settings, fresh database, real fixtures, collected static files"
export DEBUG=0 HTTPS_ONLY=1 ALLOWED_HOSTS=$HOST
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export FORUMARCHIVE_ENV_FILE=/nonexistent/local.env
export DATABASE_URL="sqlite:///$OUT/observatory.sqlite3"
export STATIC_ROOT=$OUT/static CACHE_DIR=$OUT/cache
unset REDIS_URL TRUST_X_FORWARDED_PROTO
rm -f "$OUT"/observatory.sqlite3*
rm -rf "$OUT/cache"
"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py load_edition fixtures/*/*.json -v 0
"$PY" manage.py collectstatic --noinput -v 0

echo "== gunicorn on :443 (TLS) and :80 (redirects to https)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
GUNICORN=(.venv/bin/gunicorn -c gunicorn.conf.py --workers 2 --access-logfile "$OUT/access.log")
"${GUNICORN[@]}" -b 127.0.0.1:443 --certfile "$OUT/cert.pem" --keyfile "$OUT/key.pem" \
  forumarchive.wsgi 2>>"$OUT/gunicorn.log" &
pids+=($!)
"${GUNICORN[@]}" -b 127.0.0.1:80 forumarchive.wsgi 2>>"$OUT/gunicorn.log" &
pids+=($!)
for _ in $(seq 60); do
  curl -fsS --cacert "$OUT/cert.pem" -o /dev/null "https://$HOST/" 2>/dev/null && break
  sleep 0.5
done
echo "http://$HOST/ -> $(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://$HOST/")"

echo "== scan"
# The package's bin wrapper overrides NODE_EXTRA_CA_CERTS, so run its scanner directly.
NODE_EXTRA_CA_CERTS=$OUT/cert.pem node "$TOOL/src/scan.js" "$HOST" >"$OUT/result.json"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (r.error) { console.error("scan failed: " + r.error); process.exit(1); }
const s = r.scan;
console.log(`Grade ${s.grade}, score ${s.score}, tests passed ${s.testsPassed}/${s.testsQuantity}`);
for (const [name, t] of Object.entries(r.tests)) {
  const mod = t.scoreModifier > 0 ? "+" + t.scoreModifier : String(t.scoreModifier);
  console.log(`  ${t.pass ? "pass" : "FAIL"} ${name.padEnd(32)} ${mod.padStart(4)}  ${t.result}`);
}
' "$OUT/result.json"
