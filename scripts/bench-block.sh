#!/usr/bin/env bash
# One benchmark block, as reported in BENCHMARKS.md: NATS's peer script first
# (when ../shared/peers/nats is there), then RUNS cycles of the four throughput
# workloads (stored and --no-store, batches of 64 and 16), then LAT_RUNS latency
# runs at 2,000 events/s and the memory of 1,000 idle TLS connections. Each run
# gets a fresh gateway with a fresh data directory on 127.0.0.1.
#
#   bash scripts/bench-block.sh                 # about 8 minutes on the 2-core machine
#   RUNS=1 LAT_RUNS=1 SKIP_NATS=1 COUNT=300000 bash scripts/bench-block.sh   # a quick look
#
# Environment: RUNS (5), LAT_RUNS (3), COUNT (3000000), SKIP_NATS, JUNCTION (a built
# binary; default: build the release one), OUT (JSON lines; default under /tmp).
# Prints a table of medians; every run's JSON report is kept in OUT.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
LAT_RUNS=${LAT_RUNS:-3}
COUNT=${COUNT:-3000000}
OUT=${OUT:-$(mktemp /tmp/junction-bench-block.XXXXXX.jsonl)}
NATS_OUT="${OUT%.jsonl}.nats.txt"
if [ -z "${JUNCTION:-}" ]; then
    swift build -c release --product junction >&2
    JUNCTION=.build/release/junction
fi

SERVER_PID=""
DATA_DIR=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [ -n "$DATA_DIR" ]; then rm -rf "$DATA_DIR"; fi
}
trap cleanup EXIT

# run LABEL MODE(store|nostore) BENCH-ARGS...: one gateway, one bench, one JSON line in OUT.
run() {
    local label=$1 mode=$2
    shift 2
    local extra=()
    [ "$mode" = nostore ] && extra=(--no-store)
    DATA_DIR=$(mktemp -d /tmp/junction-bench.XXXXXX)
    "$JUNCTION" serve --dev --data-dir "$DATA_DIR" "${extra[@]}" --listen 127.0.0.1:0 >"$DATA_DIR/serve.log" 2>&1 &
    SERVER_PID=$!
    local port=""
    for _ in $(seq 1 100); do
        port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$DATA_DIR/serve.log" | head -1 | cut -d: -f2 || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "bench-block: the gateway did not start; its log:" >&2
        cat "$DATA_DIR/serve.log" >&2
        exit 1
    fi
    local report status=0
    report=$(timeout 300 "$JUNCTION" bench --server "127.0.0.1:$port" --ca "$DATA_DIR/ca.pem" \
        --token-file "$DATA_DIR/dev-token" --server-pid "$SERVER_PID" --json "$@") || status=$?
    if [ -z "$report" ]; then
        echo "bench-block: junction bench failed (exit status $status) in \"$label\"" >&2
        exit 1
    fi
    # A run that lost events exits with 1 but still reports: keep it, the table shows the loss.
    [ "$status" -eq 0 ] || echo "bench-block: \"$label\" exited with status $status" >&2
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["label"]=sys.argv[2]; print(json.dumps(d))' \
        "$report" "$label" >>"$OUT"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    rm -rf "$DATA_DIR"
    DATA_DIR=""
    echo "  $label done" >&2
}

if [ -z "${SKIP_NATS:-}" ] && [ -f ../shared/peers/nats/run.sh ]; then
    echo "NATS (core, plain and TLS) -> $NATS_OUT" >&2
    (cd ../shared/peers/nats && REPS=3 SKIP_PHYS=1 SKIP_JS=1 SKIP_JSTLS=1 SKIP_INSTALL=${SKIP_INSTALL:-} bash run.sh) >"$NATS_OUT" 2>&1
fi

echo "Junction -> $OUT" >&2
for _ in $(seq 1 "$RUNS"); do
    run "stored, batches of 64" store --count "$COUNT"
    run "--no-store, batches of 64" nostore --count "$COUNT"
    run "stored, batches of 16" store --count "$COUNT" --batch 16
    run "--no-store, batches of 16" nostore --count "$COUNT" --batch 16
done
for _ in $(seq 1 "$LAT_RUNS"); do
    run "latency at 2,000/s, stored" store --rate 2000 --batch 1 --duration 10
done
run "idle connections" store --idle-connections 1000

python3 - "$OUT" "$NATS_OUT" <<'PY'
import json, os, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    runs.setdefault(d["label"], []).append(d)
print("| workload | runs | median (latency: range over the runs) |")
print("|---|---|---|")
for label, ds in runs.items():
    if label.startswith("latency"):
        p = lambda k: "-".join(str(round(f(d["latency_us"][k] for d in ds))) for f in (min, max))
        print(f"| {label}: p50 / p99 / p99.9 µs | {len(ds)} | {p('p50')} / {p('p99')} / {p('p999')} |")
    elif label.startswith("idle"):
        d = ds[0]
        print(f"| memory per 1,000 idle TLS connections | 1 | {d['server_rss_after_mb'] - d['server_rss_before_mb']:.1f} MiB |")
    else:
        eps = sorted(int(d["events_per_second"]) for d in ds)
        lost = sum(d["lost"] for d in ds)
        values = " / ".join(f"{e // 1000:,} k" for e in eps)
        print(f"| {label} | {values} | **{int(statistics.median(eps)) // 1000:,} k**, lost {lost} |")
nats = sys.argv[2]
if os.path.exists(nats):
    section = ""
    for line in open(nats):
        if line.startswith("### Core NATS"):
            section = line[4:].strip()
        elif section and (line.startswith("| (b) pub→sub, subscriber rate (first publish") or line.startswith("| asap")):
            print(f"{section}: {line.strip()}")
PY
