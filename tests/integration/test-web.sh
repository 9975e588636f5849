#!/usr/bin/env bash
# nodelab web: nodelabd serves the view on 127.0.0.1 only (ss), behind the
# token of the URL it prints (401 without it, 403 for a foreign Host or
# Origin), a non-loopback --listen refused; the API under /api; the lab's
# events as Server-Sent Events.  Then a real browser (Debian's chromium
# through puppeteer-core, tests/browser/web-view.mjs): the lab's nodes and
# pods drawn, a fault injected from the page turning its element red and a
# check failing within 2 s, repaired from the page.  Screenshots go to
# build/test-artifacts/web.
set -euo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"

LAB=web-lab
e2e_init "$LAB"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$(dirname "$NODELAB")/.." && pwd)
command -v curl >/dev/null || fail "curl is missing"
out=$(nodelab web 2>&1) && fail "nodelab web with no lab succeeded"
grep -q "nodelab up first" <<<"$out" || fail "nodelab web with no lab: $out"

nodelab up --name "$LAB" >/dev/null || fail "nodelab up --name $LAB"
URL=$(nodelab web --json | jq -r .url) || fail "nodelab web --json"
[[ $URL =~ ^http://127\.0\.0\.1:([0-9]+)/\?token=([0-9a-f]{32})$ ]] || fail "the URL: $URL"
PORT=${BASH_REMATCH[1]} TOKEN=${BASH_REMATCH[2]}
ss -ltnH "sport = :$PORT" | awk '{print $4}' >"$E2E_TMP/listen"
[ "$(cat "$E2E_TMP/listen")" = "127.0.0.1:$PORT" ] || fail "listening on $(cat "$E2E_TMP/listen"), not 127.0.0.1:$PORT only"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code "http://127.0.0.1:$PORT/")" = 401 ] || fail "no token: not 401"
[ "$(code "http://127.0.0.1:$PORT/?token=0123")" = 401 ] || fail "a wrong token: not 401"
[ "$(code "$URL")" = 200 ] || fail "the URL: not 200"
[ "$(code -H "Host: evil.example:$PORT" "$URL")" = 403 ] || fail "a foreign Host: not 403"
[ "$(code -H "Origin: http://evil.example" "$URL")" = 403 ] || fail "a foreign Origin: not 403"
[ "$(code -X POST -H "Origin: http://evil.example" -H "X-Nodelab-Token: $TOKEN" \
  "http://127.0.0.1:$PORT/api/v1/labs/$LAB/checks")" = 403 ] || fail "a cross-site POST: not 403"
api() { curl -sf -H "X-Nodelab-Token: $TOKEN" "http://127.0.0.1:$PORT/api$1"; }
[ "$(api "/v1/labs/$LAB/graph" | jq '[.nodes[] | select(.kind == "node")] | length')" = 3 ] ||
  fail "the graph through /api"
curl -sf -c "$E2E_TMP/jar" -o /dev/null "$URL" || fail "the page"
grep -q "nodelab_token" "$E2E_TMP/jar" || fail "the page set no token cookie"
curl -sf -b "$E2E_TMP/jar" -o /dev/null "http://127.0.0.1:$PORT/static/vendor/cytoscape.min.js" ||
  fail "cytoscape is not served (the web target of the build)"
out=$(nodelab web --listen 0.0.0.0:9999 2>&1) && fail "a non-loopback --listen was accepted"
grep -q "loopback only" <<<"$out" || fail "non-loopback --listen: $out"
# A new `nodelab web` moves the view to a new token (the old one no longer works).
URL2=$(nodelab web --json | jq -r .url)
PORT2=$(sed -E 's#http://127.0.0.1:([0-9]+)/.*#\1#' <<<"$URL2")
[ "$(code "${URL2%%\?*}?token=$TOKEN")" = 401 ] || fail "the old token still works"
URL=$URL2 PORT=$PORT2 TOKEN=${URL2#*token=}

# Server-Sent Events: a fault's inject and repair arrive on the stream.
curl -sfN -H "X-Nodelab-Token: $TOKEN" "http://127.0.0.1:$PORT/api/v1/labs/$LAB/stream" >"$E2E_TMP/sse" &
SSE=$!
E2E_BG=("$SSE")
wait_for 5 "the stream to open" grep -q "^: nodelab" "$E2E_TMP/sse" || fail "the stream did not open"
nodelab fault --lab "$LAB" inject link-mtu >/dev/null
nodelab fault --lab "$LAB" repair link-mtu >/dev/null
wait_for 5 "the fault's events on the stream" grep -q '"kind":"fault-repaired"' "$E2E_TMP/sse" ||
  fail "the stream did not carry the fault's events: $(cat "$E2E_TMP/sse")"
kill "$SSE" 2>/dev/null || true
E2E_BG=()
say "server: ok (127.0.0.1 only, 401, 403, /api, SSE)"

PUPPETEER=$BUILD/web/node_modules/puppeteer-core
if [ ! -x /usr/bin/chromium ] || [ ! -d "$PUPPETEER" ]; then
  say "SKIP browser: chromium or puppeteer-core missing (tools/setup-deps.sh, the web target)"
  exit 77
fi
SHOTS=$BUILD/test-artifacts/web
mkdir -p "$SHOTS"
cp "$SRC/tests/browser/web-view.mjs" "$BUILD/web/web-view.mjs" # beside its node_modules
timeout 120 node "$BUILD/web/web-view.mjs" "$URL" "$SHOTS" || fail "the browser test failed"
nodelab down "$LAB" >/dev/null || fail "nodelab down"
