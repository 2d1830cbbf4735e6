#!/usr/bin/env bash
# make fuzz: starts the local system the way `make run` does (on free ports), runs schemathesis against its
# /openapi.json with a static development token, then the fast-check property test of the chart loader, and writes
# docs/FUZZING.md from what both printed. Only 127.0.0.1 is ever targeted.
#
# Tunables (environment): FUZZ_MAX_EXAMPLES (per operation and phase, default 150), FUZZ_SEED (default 20261126),
# FUZZ_WORKERS (default 2), FUZZ_READY_TIMEOUT (seconds, default 900).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUN=$ROOT/.run
mkdir -p "$RUN"

SCHEMATHESIS_VERSION=4.32.5
VENV=$RUN/fuzz-venv
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-150}
SEED=${FUZZ_SEED:-20261126}
WORKERS=${FUZZ_WORKERS:-2}
READY_TIMEOUT=${FUZZ_READY_TIMEOUT:-900}
TOKEN=dev-alice-token
LOCAL_LOG=$RUN/fuzz-run-local.log
ST_LOG=$RUN/fuzz-schemathesis.log
CASSETTE=$RUN/fuzz-cassette.yaml
JUNIT=$RUN/fuzz-junit.xml
JEST_JSON=$RUN/fuzz-property.json
JEST_LOG=$RUN/fuzz-property.log

log() { printf '[fuzz] %s\n' "$*" >&2; }

# 1. schemathesis, pinned, in a local venv.
if [[ ! -x $VENV/bin/st ]] || [[ "$("$VENV/bin/python" -c 'import schemathesis; print(schemathesis.__version__)' 2>/dev/null)" != "$SCHEMATHESIS_VERSION" ]]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV" || exit 1
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" || exit 1
fi

# 2. build, as `make run` does (the Makefile's `fuzz` target depends on `peers`).
log "building (npx tsc -p tsconfig.build.json)"
npx tsc -p tsconfig.build.json || exit 1

free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
HTTP_PORT=$(free_port)
GRPC_PORT=$(free_port)
while [[ $GRPC_PORT == "$HTTP_PORT" ]]; do GRPC_PORT=$(free_port); done
BASE=http://127.0.0.1:$HTTP_PORT

# The local Tiller keeps as many revisions per release as the deployment does (test/harness/cluster.ts,
# TILLER_HISTORY_MAX): the fuzzer upgrades and rolls back the seeded releases dozens of times, and Tiller's purge on
# DELETE removes every stored revision one by one (an unbounded 90 revisions took 42 s, beyond the request timeout).
log "starting the local system (node dist/test/harness/run-local.js), REST on $BASE, log in $LOCAL_LOG"
APPSTORE_HTTP_PORT=$HTTP_PORT APPSTORE_GRPC_PORT=$GRPC_PORT node dist/test/harness/run-local.js >"$LOCAL_LOG" 2>&1 &
LOCAL_PID=$!

stop_local() {
  if kill -0 "$LOCAL_PID" 2>/dev/null; then
    log "stopping the local system (SIGINT to $LOCAL_PID)"
    kill -INT "$LOCAL_PID" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$LOCAL_PID" 2>/dev/null || break; sleep 1; done
    if kill -0 "$LOCAL_PID" 2>/dev/null; then log "still running after 60 s; SIGTERM"; kill -TERM "$LOCAL_PID" 2>/dev/null; fi
    wait "$LOCAL_PID" 2>/dev/null
  fi
}
trap stop_local EXIT
trap 'exit 130' INT TERM

log "waiting for $BASE/readyz (up to ${READY_TIMEOUT}s)"
deadline=$((SECONDS + READY_TIMEOUT))
until curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null; do
  if ! kill -0 "$LOCAL_PID" 2>/dev/null; then log "run-local exited; see $LOCAL_LOG"; tail -20 "$LOCAL_LOG" >&2; exit 1; fi
  if ((SECONDS > deadline)); then log "not ready after ${READY_TIMEOUT}s; see $LOCAL_LOG"; exit 1; fi
  sleep 2
done
log "ready"
curl -fsS -o "$RUN/fuzz-openapi.json" "$BASE/openapi.json" || exit 1

# Seed two releases, so that the operations on /releases/{id} also reach existing ones: schemathesis picks their ids
# (and a known application and namespace for POST /releases) half of the time, through dictionaries in its config.
SEEDED=()
for i in 1 2; do
  id=$(curl -fsS -X POST "$BASE/releases" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"application": "sample/hello", "version": "1.0.0", "namespace": "default", "adminGroups": ["fc:org:example.org"]}' |
    "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["id"])') && SEEDED+=("\"$id\"")
done
log "seeded releases: ${SEEDED[*]:-none}"
ST_CONFIG=$RUN/fuzz-schemathesis.toml
{
  if ((${#SEEDED[@]} > 0)); then
    echo "[dictionaries.release-ids]"
    echo "values = [$(IFS=,; echo "${SEEDED[*]}")]"
  fi
  echo '[dictionaries.applications]'
  echo 'values = ["sample/hello", "sample/oidc-app"]'
  echo '[dictionaries.namespaces]'
  echo 'values = ["default"]'
  echo '[parameters]'
  if ((${#SEEDED[@]} > 0)); then echo '"path.id" = { dictionary = "release-ids", probability = 0.5 }'; fi
  echo '"body.application" = { dictionary = "applications", probability = 0.5 }'
  echo '"body.namespace" = { dictionary = "namespaces", probability = 0.5 }'
} >"$ST_CONFIG"

# 3. schemathesis over every operation. Schemathesis leaves out the operation that served the schema it loaded
# (GET /openapi.json) unless a filter the user gave selects it explicitly; an include filter that matches every path
# selects it along with all the others. unsupported_method checks that a method not in the schema gets 405 + Allow.
CHECKS=not_a_server_error,response_schema_conformance,status_code_conformance,unsupported_method
ST_ARGS=(--include-path-regex '^/' --checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers "$WORKERS" --request-timeout 30)
ST_CMD=("$VENV/bin/st" --config-file "$ST_CONFIG" run "$BASE/openapi.json" --url "$BASE" "${ST_ARGS[@]}" -H "Authorization: Bearer $TOKEN"
  --report junit,vcr --report-junit-path "$JUNIT" --report-vcr-path "$CASSETTE" --no-color)
rm -f "$CASSETTE" "$JUNIT"
log "running: st run ... (log in $ST_LOG)"
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
"${ST_CMD[@]}" >"$ST_LOG" 2>&1
ST_RC=$?
log "schemathesis exited with $ST_RC"

stop_local
trap - EXIT

# 4. the property test of the chart loader.
log "running the fast-check property test of the chart loader"
FUZZ_PROPERTY_SUMMARY=$RUN/fuzz-property-summary.json npx jest --selectProjects unit --json --outputFile="$JEST_JSON" -- test/unit/charts/loader-property.test.ts >"$JEST_LOG" 2>&1
JEST_RC=$?

# 5. docs/FUZZING.md, from the logs.
"$VENV/bin/python" scripts/fuzz/report.py \
  --started "$started" --st-rc "$ST_RC" --st-log "$ST_LOG" --cassette "$CASSETTE" --junit "$JUNIT" \
  --openapi "$RUN/fuzz-openapi.json" --st-config "$ST_CONFIG" --command "st --config-file fuzz-schemathesis.toml run http://127.0.0.1:<port>/openapi.json --url http://127.0.0.1:<port> ${ST_ARGS[*]} -H 'Authorization: Bearer $TOKEN'" \
  --schemathesis-version "$SCHEMATHESIS_VERSION" --jest-rc "$JEST_RC" --jest-json "$JEST_JSON" --property-summary "$RUN/fuzz-property-summary.json" --jest-log "$JEST_LOG" \
  --findings scripts/fuzz/findings.md --out docs/FUZZING.md || exit 1
log "wrote docs/FUZZING.md"
if ((ST_RC != 0 || JEST_RC != 0)); then exit 1; fi
