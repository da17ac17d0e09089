#!/usr/bin/env bash
# The README's walkthrough, runnable: `npm run walkthrough`.
#
# With API unset it starts its own local stack on free ports with the sweep timer off
# (SWEEP_INTERVAL_SECONDS=0, so no timer sweep races the steps) and stops it at the end. With API set
# (and GRAPH, default: the API's port + 1) it uses that stack; start it with SWEEP_INTERVAL_SECONDS=0.
# The part between the two "walkthrough" marker lines is the README's walkthrough block, word for
# word (test/integration/walkthrough.test.ts checks both that and every answer).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${API:-}" ]; then
  free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
  PORT=$(free_port)
  GRAPH_EMULATOR_PORT=$(free_port)
  API=http://127.0.0.1:$PORT
  GRAPH=http://127.0.0.1:$GRAPH_EMULATOR_PORT
  echo "Starting a local stack (sweep timer off) on $API ..."
  # Its own process group, so stopping it stops DynamoDB Local (Java) too.
  PORT=$PORT GRAPH_EMULATOR_PORT=$GRAPH_EMULATOR_PORT SWEEP_INTERVAL_SECONDS=0 setsid npm start --silent >"${TMPDIR:-/tmp}/session-guard-walkthrough.log" 2>&1 &
  STACK_PID=$!
  trap 'kill -INT -- "-$STACK_PID" 2>/dev/null || true; wait "$STACK_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    curl -sf "$API/v1/health" >/dev/null 2>&1 && break
    kill -0 "$STACK_PID" 2>/dev/null || { cat "${TMPDIR:-/tmp}/session-guard-walkthrough.log"; exit 1; }
    sleep 0.5
  done
  curl -sf "$API/v1/health" >/dev/null || { echo "The local stack did not start; see ${TMPDIR:-/tmp}/session-guard-walkthrough.log"; exit 1; }
else
  GRAPH=${GRAPH:-$(node -pe 'const u = new URL(process.argv[1]); u.port = String(Number(u.port) + 1); u.origin' "$API")}
fi

# >>> walkthrough
# call METHOD URL [curl options]: sends the request, prints "→ status body", keeps the body in $BODY
call() {
  local out
  out=$(curl -s -X "$1" "$2" "${@:3}" -w '\n%{http_code}')
  BODY=${out%$'\n'*} STATUS=${out##*$'\n'}
  echo "→ $STATUS $BODY" | sed -E 's/"(token|sessionToken)":"([^"]{12})[^"]*"/"\1":"\2…"/g'
}
# get PATH: a field of the last answer, e.g. get user.id
get() { node -pe 'process.argv[2].split(".").reduce((o, k) => o[k], JSON.parse(process.argv[1]))' "$BODY" "$1"; }
JSON='content-type: application/json'

echo '== 1. A Facebook test user, and the session-info token the Facebook SDK would make on their phone'
call POST "$GRAPH/_emulator/users" -H "$JSON" -d '{"name":"Ada"}'
# → 201 {"id":"10…","name":"Ada","appId":"1234567890123456"}
FB_USER=$(get id)
call POST "$GRAPH/_emulator/users/$FB_USER/session-info-token"
# → 201 {"token":"EAA…"}
SIT=$(get token)

echo '== 2. Sign in with it: Session Guard checks it with Facebook and opens a session'
call POST "$API/v1/sessions" -H "$JSON" -d "{\"sessionInfoToken\":\"$SIT\"}"
# → 201 {"sessionToken":"sg1.ses_…","expiresAt":"…","user":{"id":"usr_…","facebookUserId":"10…","created":true}}
TOKEN=$(get sessionToken)

echo '== 3. Use the session'
call GET "$API/v1/sessions/current" -H "authorization: Bearer $TOKEN"
# → 200 {"session":{"id":"ses_…",…,"status":"active"},"user":{"id":"usr_…","facebookUserId":"10…"}}

echo '== 4. Ada changes her Facebook password: Facebook ends her session'
call POST "$GRAPH/_emulator/users/$FB_USER/end-session" -H "$JSON" -d '{"reason":"password_changed"}'
# → 204
call GET "$API/v1/sessions/current" -H "authorization: Bearer $TOKEN"
# → 200 … "status":"active" (Session Guard learns it at the next sweep: within 15 minutes when deployed)

echo '== 5. The revalidation sweep runs (deployed: every 15 minutes; here: now)'
call POST "$API/_local/revalidate"
# → 200 {"sweepId":"sweep-…","checked":1,"valid":0,"revoked":1,…,"revokedByReason":{"password_changed":1},…}

echo '== 6. Her next request is refused, with the reason'
call GET "$API/v1/sessions/current" -H "authorization: Bearer $TOKEN"
# → 401 {"error":{"code":"session_revoked","message":"…","reason":"password_changed"}}

echo '== 7. She signs in again (a new session-info token, a second session)'
call POST "$GRAPH/_emulator/users/$FB_USER/session-info-token"
# → 201 {"token":"EAA…"}
SIT2=$(get token)
call POST "$API/v1/sessions" -H "$JSON" -d "{\"sessionInfoToken\":\"$SIT2\"}"
# → 201 {"sessionToken":"sg1.ses_…",…,"user":{…,"created":false}}
TOKEN2=$(get sessionToken)

echo '== 8. She removes the app on Facebook: her tokens die (190/458) and Facebook calls the deauthorize callback'
call POST "$API/_local/facebook/deauthorize" -H "$JSON" -d "{\"facebookUserId\":\"$FB_USER\"}"
# → 200 {"facebook":{…,"appRemoved":true},"callback":{"route":"POST /v1/facebook/deauthorize","status":200,"body":{}}}
call GET "$API/v1/sessions/current" -H "authorization: Bearer $TOKEN2"
# → 401 {"error":{"code":"session_revoked","message":"…","reason":"app_removed"}}  (at once, no sweep needed)
call POST "$API/v1/sessions" -H "$JSON" -d "{\"sessionInfoToken\":\"$SIT2\"}"
# → 401 {"error":{"code":"invalid_token",…}}  (Facebook no longer accepts that token)

echo '== 9. She asks Facebook to delete her data: Facebook calls the data-deletion callback'
call POST "$API/_local/facebook/data-deletion" -H "$JSON" -d "{\"facebookUserId\":\"$FB_USER\"}"
# → 200 {…,"callback":{…,"status":200,"body":{"url":"http://127.0.0.1:…/v1/facebook/data-deletion/…","confirmation_code":"…"}}}
STATUS_URL=$(get callback.body.url)
call GET "$STATUS_URL"
# → 200 {"confirmationCode":"…","status":"completed",…,"deleted":{"sessions":2,"userRecords":2}}
call GET "$STATUS_URL" -H 'accept: text/html' -o /dev/null
# → 200 (the page the person sees: open $STATUS_URL in a browser)
# <<< walkthrough
