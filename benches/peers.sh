#!/usr/bin/env bash
# specgate side by side with the tools its users would pick instead, on the same target in
# one run, printing the ratios (issue 6):
#
#   load generation  `specgate load` (scenarios/peer-single-endpoint.yaml) next to wrk and oha,
#                    one endpoint of the checklist-items mock, the same connection count;
#                    goal: at least half of the best of them
#   generator cost   CPU (user + system) each generator process used, per request: specgate's
#                    closed model (judging as by default, and with --judge off), its open model
#                    at about the closed model's throughput, wrk and oha; the ratio to wrk
#                    (issue 15: goal at most 1.5 times wrk)
#   mock as server   the checklist-items mock next to Prism mocking the same OpenAPI document,
#                    both loaded by wrk with the same connections; goal: at least 10 times
#   conformance run  `specgate check --api checklist-items` next to Schemathesis with the same
#                    OpenAPI document, against the same mock: requests/s and wall time
#
# Usage: benches/peers.sh            (from anywhere; it works in the checkout it lives in)
# Environment:
#   CONNECTIONS=8      connections (wrk, oha), load users (specgate), workers (Schemathesis)
#   DURATION=10        seconds of each load run
#   ST_MAX_TIME=120    the bound of the Schemathesis run, in seconds
#   PARTS=all          `load`: only load generation and generator cost (no Prism, no
#                      Schemathesis)
#   SPECGATE=          a specgate binary to measure instead of building this checkout's
#   BASELINE=          another specgate binary (e.g. built before a change) whose closed model
#                      is measured the same way, in the same run, for a before-and-after
#   PEERS_DIR=benches/.peers   where the peers are installed (ignored by git)
#
# It installs what is missing from the package registries: wrk from Debian (apt-get), oha
# from crates.io (cargo install --locked), Prism from npm and Schemathesis from PyPI (into
# PEERS_DIR), then builds specgate in release. Every server listens on 127.0.0.1 on a free
# port, every client run is bounded in time, and the servers are stopped on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONNECTIONS=${CONNECTIONS:-8}
DURATION=${DURATION:-10}
ST_MAX_TIME=${ST_MAX_TIME:-120}
PARTS=${PARTS:-all}
PEERS_DIR=${PEERS_DIR:-$ROOT/benches/.peers}
OHA_VERSION=1.16.0
PRISM_VERSION=5.14.2
SCHEMATHESIS_VERSION=4.32.5
API_KEY=mock-api-key-1 # the checklist-items mock's own credential at seed 1, not a secret
ENDPOINT='/checklists?resource_type=task&resource_id=1'

# Every tool's own output stays here after the run, for a closer look.
WORK=$PEERS_DIR/last-run
rm -rf "$WORK"
mkdir -p "$WORK"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

say() { printf '%s\n' "$*" >&2; }
die() {
    say "peers.sh: $*"
    exit 1
}

# --- installing the peers ------------------------------------------------------------------

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_wrk() {
    command -v wrk >/dev/null && return
    say "installing wrk (Debian)"
    as_root apt-get install -y wrk >/dev/null 2>&1 ||
        { as_root apt-get update >/dev/null && as_root apt-get install -y wrk >/dev/null; }
}

install_oha() {
    [ -x "$PEERS_DIR/bin/oha" ] && return
    say "installing oha $OHA_VERSION (crates.io; a few minutes of compiling)"
    cargo install oha --version "$OHA_VERSION" --locked --root "$PEERS_DIR" --quiet
}

install_prism() {
    [ -x "$PEERS_DIR/node/node_modules/.bin/prism" ] && return
    say "installing @stoplight/prism-cli $PRISM_VERSION (npm)"
    npm install --silent --no-fund --no-audit --prefix "$PEERS_DIR/node" \
        "@stoplight/prism-cli@$PRISM_VERSION" >/dev/null
}

install_schemathesis() {
    [ -x "$PEERS_DIR/venv/bin/schemathesis" ] && return
    say "installing schemathesis $SCHEMATHESIS_VERSION (PyPI, into a venv)"
    python3 -m venv "$PEERS_DIR/venv"
    "$PEERS_DIR/venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
}

install_wrk
install_oha
if [ "$PARTS" = all ]; then
    install_prism
    install_schemathesis
fi
OHA=$PEERS_DIR/bin/oha
PRISM=$PEERS_DIR/node/node_modules/.bin/prism
SCHEMATHESIS=$PEERS_DIR/venv/bin/schemathesis

if [ -z "${SPECGATE:-}" ]; then
    say "building specgate (release)"
    cargo build --release --quiet --bin specgate
    SPECGATE=$ROOT/target/release/specgate
fi

# --- servers -------------------------------------------------------------------------------

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for URL SECONDS: until URL answers at all (any status), or fail.
wait_for() {
    local url=$1 tries=$(($2 * 10))
    for _ in $(seq "$tries"); do
        curl -s -o /dev/null "$url" && return
        sleep 0.1
    done
    die "nothing answered at $url within $2 s"
}

MOCK_PORT=$(free_port)
"$SPECGATE" mock --api checklist-items --port "$MOCK_PORT" >"$WORK/mock.log" 2>&1 &
PIDS+=($!)
MOCK=http://127.0.0.1:$MOCK_PORT/api
wait_for "$MOCK/checklists" 10

if [ "$PARTS" = all ]; then
PRISM_PORT=$(free_port)
# `-v warn`: no line logged per request, as the specgate mock logs none.
"$PRISM" mock -h 127.0.0.1 -p "$PRISM_PORT" -v warn specs/checklist-items/openapi.yaml \
    >"$WORK/prism.log" 2>&1 &
PIDS+=($!)
PRISM_URL=http://127.0.0.1:$PRISM_PORT # Prism serves the document's paths at its root
wait_for "$PRISM_URL/checklists" 60
fi

# Both answer the endpoint with 200 before anything is measured.
for url in "$MOCK$ENDPOINT" ${PRISM_URL:+"$PRISM_URL$ENDPOINT"}; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $API_KEY" "$url")
    [ "$code" = 200 ] || die "$url answered $code, not 200"
done

# A target profile for the mock on its port; the key stays an ${ENV_VAR} reference.
cat >"$WORK/checklist-items.yaml" <<EOF
api: checklist-items
base_url: $MOCK
credentials:
  api_key: \${CHECKLIST_ITEMS_API_KEY}
EOF
export CHECKLIST_ITEMS_API_KEY=$API_KEY

# --- clients -------------------------------------------------------------------------------

json() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"; }

# cpu NAME CMD...: run CMD, its CPU time (user + system, seconds) written to $WORK/NAME.cpu (its
# last line; a line before it says when CMD exited non-zero).
cpu() {
    local name=$1
    shift
    /usr/bin/time -f '%U %S' -o "$WORK/$name.cpu" "$@"
}

# wrk_rps URL [NAME]: requests/s, after checking every answer was 2xx; its request count and
# CPU time in $WORK/NAME.requests and $WORK/NAME.cpu.
wrk_rps() {
    local threads=$((CONNECTIONS < 2 ? CONNECTIONS : 2)) name=${2:-wrk}
    cpu "$name" wrk -t"$threads" -c"$CONNECTIONS" -d"${DURATION}s" \
        -H "Authorization: Bearer $API_KEY" "$1" >"$WORK/$name.txt"
    if grep -q 'Non-2xx' "$WORK/$name.txt"; then die "wrk on $1: $(grep Non-2xx "$WORK/$name.txt")"; fi
    awk '/ requests in / { print $1 }' "$WORK/$name.txt" >"$WORK/$name.requests"
    awk '/^Requests\/sec:/ { printf "%.0f\n", $2 }' "$WORK/$name.txt"
}

oha_rps() {
    cpu oha "$OHA" -z "${DURATION}s" -c "$CONNECTIONS" --no-tui --output-format json \
        -H "Authorization: Bearer $API_KEY" "$1" >"$WORK/oha.json"
    local codes
    codes=$(json "$WORK/oha.json" "sorted(d['statusCodeDistribution'])")
    [ "$codes" = "['200']" ] || die "oha on $1: statuses $codes"
    json "$WORK/oha.json" "sum(d['statusCodeDistribution'].values())" >"$WORK/oha.requests"
    json "$WORK/oha.json" "round(d['summary']['requestsPerSec'])"
}

# specgate_load_rps NAME [ARGS...]: `specgate load` of the peer scenario with ARGS (by default
# the closed model with --concurrency): requests/s, after checking every request was answered
# and no judged answer broke the contract (it exits 1 then); its request count and CPU time
# in $WORK/NAME.*.
specgate_load_rps() {
    local name=$1
    shift
    local args=("$@")
    [ ${#args[@]} -gt 0 ] || args=(--concurrency "$CONNECTIONS")
    cpu "$name" "$SPECGATE" load --scenario scenarios/peer-single-endpoint.yaml \
        --target "$WORK/checklist-items.yaml" "${args[@]}" \
        --run-time "${DURATION}s" --report "json=$WORK/$name.json" >"$WORK/$name.txt" 2>&1 ||
        # An open-model run that could not keep its schedule exits 1 and still counts.
        [ -n "${OPEN_OK:-}" ] && [ -s "$WORK/$name.json" ] ||
        die "specgate load ${args[*]} failed: $(tail -5 "$WORK/$name.txt")"
    [ "$(json "$WORK/$name.json" "d['failed_total']")" = 0 ] ||
        die "specgate load: failed requests, see $(json "$WORK/$name.json" "d['errors']")"
    json "$WORK/$name.json" "d['requests_total']" >"$WORK/$name.requests"
    json "$WORK/$name.json" "round(d['throughput_rps'])"
}

# per_request NAME: CPU microseconds (user + system) per request of run NAME.
per_request() {
    python3 -c "import sys; u, s = map(float, open(sys.argv[1]).read().split()[-2:]); print(round((u + s) * 1e6 / float(open(sys.argv[2]).read()), 2))" \
        "$WORK/$1.cpu" "$WORK/$1.requests"
}

now() { date +%s.%N; }

say "load generation: $CONNECTIONS connections, ${DURATION} s each, GET /api$ENDPOINT of the mock"
WRK=$(wrk_rps "$MOCK$ENDPOINT")
OHA_RPS=$(oha_rps "$MOCK$ENDPOINT")
LOAD=$(specgate_load_rps load)
LOAD_OFF=$(specgate_load_rps load-judge-off --concurrency "$CONNECTIONS" --judge off)
# The open model at half the rate the closed model reached (each start is a task of its own:
# nearer the closed model's rate it falls behind its schedule on a small machine), in flight
# at most twice the connections.
OPEN=$(OPEN_OK=1 specgate_load_rps open --rate "$((LOAD / 2))/s" --max-in-flight "$((CONNECTIONS * 2))")
OPEN_DROPPED=$(json "$WORK/open.json" "d['open']['dropped']")
BASE_US=0 BASE_RPS=0
if [ -n "${BASELINE:-}" ]; then
    BASE_RPS=$(SPECGATE=$BASELINE specgate_load_rps baseline)
    BASE_US=$(per_request baseline)
fi

say "generator cost: CPU per request (user + system of the generator's process)"
python3 - "$CONNECTIONS" "$DURATION" \
    "$(per_request wrk)" "$(per_request oha)" "$(per_request load)" \
    "$(per_request load-judge-off)" "$(per_request open)" \
    "$WRK" "$OHA_RPS" "$LOAD" "$LOAD_OFF" "$OPEN" "$BASE_US" "$BASE_RPS" "${BASELINE:-}" \
    "$OPEN_DROPPED" <<'EOF'
import sys
conns, duration = sys.argv[1:3]
wrk, oha, load, off, open_ = (float(x) for x in sys.argv[3:8])
wrk_rps, oha_rps, load_rps, off_rps, open_rps = (float(x) for x in sys.argv[8:13])
base_us, base_rps, baseline, dropped = float(sys.argv[13]), float(sys.argv[14]), sys.argv[15], sys.argv[16]
rows = [
    ("wrk", wrk, wrk_rps),
    ("oha", oha, oha_rps),
    ("specgate load (closed model, --judge 1/50)", load, load_rps),
    ("specgate load (closed model, --judge off)", off, off_rps),
    ("specgate load --rate (open model, half the closed rate)", open_, open_rps),
] + ([("baseline specgate load (closed model)", base_us, base_rps)] if baseline else [])
width = max(len(r[0]) for r in rows)
print(f"generator cost: CPU (user + system) per request, {conns} connections, {duration} s each")
for name, us, rps in rows:
    print(f"  {name:<{width}}  {us:6.2f} µs  {rps:8,.0f} requests/s  {us / wrk:4.2f} × wrk")
ratio = load / wrk
verdict = "met" if ratio <= 1.5 else "SHORT"
print(f"specgate (closed model, judging by default) / wrk: {ratio:.2f}  goal <= 1.5: {verdict}")
if baseline:
    print(f"baseline ({baseline}) / wrk: {base_us / wrk:.2f}; this build uses {load / base_us:.2f} × its CPU per request")
if dropped != "0":
    print(f"the open model dropped {dropped} starts: it did not keep its schedule")
print(f"judging 1 in 50: {(1 - load_rps / off_rps) * 100:+.1f}% of throughput, "
      f"{(load / off - 1) * 100:+.1f}% CPU per request (goal: under 5%)\n")
EOF

[ "$PARTS" = all ] || exit 0

say "mock as server: wrk, $CONNECTIONS connections, ${DURATION} s on Prism"
PRISM_RPS=$(wrk_rps "$PRISM_URL$ENDPOINT" wrk-prism)

say "conformance: specgate check, then Schemathesis (at most ${ST_MAX_TIME} s)"
start=$(now)
"$SPECGATE" check --target "$WORK/checklist-items.yaml" --concurrency "$CONNECTIONS" \
    --report "json=$WORK/check.json" >"$WORK/check.txt" 2>&1 || true
CHECK_S=$(python3 -c "print($(now) - $start)")
CHECK_REQ=$(json "$WORK/check.json" "sum(r['exchanges'] for a in d['apis'] for r in a['results'])")
CHECK_SUMMARY=$(json "$WORK/check.json" "'{rules} rules, {passed} passed, {failed} failed'.format(**d['summary'])")

start=$(now)
# Schemathesis exits 1 when it finds failures; its request count is read from its HAR report.
# It runs in WORK, where it keeps its example database (.schemathesis/).
(cd "$WORK" && "$SCHEMATHESIS" run "$ROOT/specs/checklist-items/openapi.yaml" --url "$MOCK" \
    -H "Authorization: Bearer $API_KEY" --workers "$CONNECTIONS" --max-time "$ST_MAX_TIME" \
    --no-color --report har --report-har-path "$WORK/st.har" >"$WORK/st.txt" 2>&1) || true
ST_S=$(python3 -c "print($(now) - $start)")
[ -s "$WORK/st.har" ] || die "Schemathesis wrote no HAR report: $(tail -20 "$WORK/st.txt")"
ST_REQ=$(json "$WORK/st.har" "len(d['log']['entries'])")
# Its summary: the test cases line and the kinds of failure it found.
ST_SUMMARY=$(grep -A1 '^Test cases:' "$WORK/st.txt" | tail -1 | sed 's/^ *//' || true)
ST_FAILURES=$(sed -n '/^Failures:/,/^$/p' "$WORK/st.txt" | grep -E '^ .*: [0-9]+$' | sed 's/^[^A-Z]*//' | paste -sd ';' - || true)

# --- the figures and ratios ----------------------------------------------------------------

python3 - "$WRK" "$OHA_RPS" "$LOAD" "$PRISM_RPS" "$CHECK_S" "$CHECK_REQ" "$ST_S" "$ST_REQ" \
    "$CONNECTIONS" "$DURATION" "$CHECK_SUMMARY" "$ST_SUMMARY" "$ST_FAILURES" "$WORK" <<'EOF'
import os, platform, sys
wrk, oha, load, prism = (float(x) for x in sys.argv[1:5])
check_s, check_req, st_s, st_req = (float(x) for x in sys.argv[5:9])
conns, duration, check_summary, st_summary, st_failures, work = sys.argv[9:15]
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"machine: {os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}")
print(f"same target, one run: the checklist-items mock, {conns} connections, {duration} s per load run\n")
best = max(wrk, oha)
rows = [
    ("load generation (req/s)", f"specgate load {load:,.0f}", f"wrk {wrk:,.0f} · oha {oha:,.0f}",
     load / best, 0.5, "of the best"),
    ("mock as server (req/s, wrk)", f"specgate mock {wrk:,.0f}", f"Prism {prism:,.0f}",
     wrk / prism, 10, "times Prism"),
    ("conformance run (req/s)", f"specgate check {check_req / check_s:,.0f}",
     f"Schemathesis {st_req / st_s:,.0f}", (check_req / check_s) / (st_req / st_s), None, "times"),
    ("conformance run (wall)", f"{check_s:.2f} s, {check_req:,.0f} requests",
     f"{st_s:.1f} s, {st_req:,.0f} requests", st_s / check_s, None, "times shorter"),
]
width = [max(len(str(r[i])) for r in rows) for i in range(3)]
for name, ours, theirs, ratio, goal, unit in rows:
    verdict = "" if goal is None else ("  goal >= %g: %s" % (goal, "met" if ratio >= goal else "SHORT"))
    print(f"{name:<{width[0]}}  {ours:<{width[1]}}  {theirs:<{width[2]}}  ratio {ratio:.2f} {unit}{verdict}")
print(f"\nspecgate check: {check_summary}")
print(f"Schemathesis: {st_summary}; failures it reports: {st_failures or 'none'}")
print(f"each tool's output: {work}")
EOF
