#!/usr/bin/env bash
# Runs the unmodified Python liminal-orm 5.1.0 CLI through a whole migration cycle against the
# emulator (`liminal emulator`): init, revision, upgrade head, current, diff, a second
# revision and upgrade, downgrade -1, then a restart of the emulator on the same state file.
# Checks every exit code and what `current` prints; prints the requests each command made.
#
#   tests/python/run_liminal_cycle.sh            # venv in $LIMINAL_PY_VENV (default /tmp/limpy)
#   KEEP=1 tests/python/run_liminal_cycle.sh     # keep the work folder for inspection
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${LIMINAL_PY_VENV:-/tmp/limpy}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
START=$(date +%s)

if [ ! -x "$VENV/bin/liminal" ]; then
    echo "creating venv $VENV with liminal-orm 5.1.0"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet 'liminal-orm==5.1.0'
fi
PY="$VENV/bin/python"
LIMINAL="$VENV/bin/liminal"

cargo build --quiet --bin liminal --manifest-path "$ROOT/Cargo.toml"
EMU_BIN="$TARGET/debug/liminal"

WORK=$(mktemp -d)
EMU_PID=""
stop_emulator() {
    if [ -n "$EMU_PID" ]; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
        EMU_PID=""
    fi
}
cleanup() {
    stop_emulator
    if [ "${KEEP:-}" = 1 ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

start_emulator() {
    "$EMU_BIN" emulator --port 0 --state "$WORK/state.json" >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
    EMU_PID=$!
    for _ in $(seq 1 100); do
        if grep -q '^listening on ' "$WORK/emulator.out" 2>/dev/null; then break; fi
        sleep 0.1
    done
    EMU_URL=$(sed -n 's/^listening on //p' "$WORK/emulator.out")
    if [ -z "$EMU_URL" ]; then
        echo "the emulator did not start:" >&2
        cat "$WORK/emulator.err" >&2
        exit 1
    fi
    export EMU_URL
}

# Number of API requests the emulator logged since the last call, then clear the log.
requests_since_last() {
    "$PY" - "$EMU_URL" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
log = json.load(urllib.request.urlopen(base + "/__emulator/requests"))
urllib.request.urlopen(urllib.request.Request(base + "/__emulator/requests", method="DELETE"))
bad = [f"{r['method']} {r['path']} -> {r['status']}" for r in log if r["status"] >= 400]
print(len(log), ("; failed: " + ", ".join(bad)) if bad else "")
EOF
}

SUMMARY=""
# step <expected exit code> <label> <liminal args...>   (the Python client; CLI=... to change)
step() {
    local expected=$1 label=$2
    shift 2
    local t0 rc
    t0=$(date +%s.%N)
    set +e
    "${CLI:-$LIMINAL}" "$@" >"$WORK/last.log" 2>&1
    rc=$?
    set -e
    local secs
    secs=$("$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
    local count
    count=$(requests_since_last)
    SUMMARY+=$(printf '%-34s exit %s  %5ss  %s requests' "$label" "$rc" "$secs" "$count")$'\n'
    if [ "$rc" != "$expected" ]; then
        printf '%s' "$SUMMARY" >&2
        echo "FAILED: liminal $* exited $rc, expected $expected" >&2
        cat "$WORK/last.log" >&2
        exit 1
    fi
}

# expect_current <revision id> [label suffix]
expect_current() {
    step 0 "current (expect $1)${2:-}" current emu
    if ! grep -q "$1" "$WORK/last.log"; then
        echo "FAILED: liminal current did not print $1:" >&2
        cat "$WORK/last.log" >&2
        exit 1
    fi
}

revision_id() {
    local f
    f=$(ls "$WORK/project/liminal/versions/" | grep "_$1.py$")
    echo "${f%%_*}"
}

start_emulator
mkdir "$WORK/project"
cp -r "$HERE/project/." "$WORK/project/"
cd "$WORK/project"
export PATH="$VENV/bin:$PATH"

step 0 "init" init
cp emulator_env.py liminal/env.py

export LIMINAL_MODELS=v1
step 0 "revision (v1)" revision emu "first models"
REV1=$(revision_id first_models)
step 0 "upgrade head" upgrade emu head
expect_current "$REV1"
step 0 "diff (in sync)" diff emu

export LIMINAL_MODELS=v2
step 2 "diff (v2 code, differs)" diff emu
step 0 "revision (v2)" revision emu "second models"
REV2=$(revision_id second_models)
step 0 "upgrade head" upgrade emu head
expect_current "$REV2"
step 0 "diff (in sync)" diff emu

step 0 "downgrade -1" downgrade emu -1
expect_current "$REV1"
export LIMINAL_MODELS=v1
# liminal's generated downgrade is not an exact inverse for orderings: its reverse reorder
# lists only the fields code knew about (cook_temp is unarchived in place, not first), and
# unarchiving Ham at index 1 before archiving Olive leaves [Ham, Cheese]. Benchling applies
# the lists as sent, so exactly these two order differences must remain, and nothing else.
step 2 "diff (v1 code, order only)" diff emu
if ! grep -q "2 total difference(s)" "$WORK/last.log" \
    || ! grep -q "Toppings: Dropdown in Benchling has options in a different order" "$WORK/last.log" \
    || ! grep -q "pizza: Order of fields is different" "$WORK/last.log"; then
    echo "FAILED: after downgrade -1, expected only the two known order differences:" >&2
    cat "$WORK/last.log" >&2
    exit 1
fi

stop_emulator
start_emulator
expect_current "$REV1" " after restart"

# The Rust liminal takes over the tenant Python liminal manages, and hands it back: it reads
# Python's revision, generates YAML that is in sync, writes and applies a revision of its own,
# and Python reads that revision.
mkdir -p "$WORK/rust/versions"
cd "$WORK/rust"
cat >liminal.yaml <<EOF
tenants:
  emu:
    url: $EMU_URL
    client_id_env: EMU_CLIENT_ID
    client_secret_env: EMU_CLIENT_SECRET
EOF
export EMU_CLIENT_ID=liminal EMU_CLIENT_SECRET=liminal
cat >"versions/${REV1}_taken_over_from_python_liminal.rhai" <<EOF
// Taken over from Python liminal
const revision = "$REV1";
const down_revision = ();
fn upgrade() { [] }
fn downgrade() { [] }
EOF
CLI="$EMU_BIN" step 0 "rust: current (expect $REV1)" current emu
grep -q "$REV1" "$WORK/last.log" || { echo "FAILED: rust current did not print $REV1" >&2; cat "$WORK/last.log" >&2; exit 1; }
CLI="$EMU_BIN" step 0 "rust: generate-files" generate-files emu
CLI="$EMU_BIN" step 0 "rust: diff (in sync)" diff emu
cat >>schemas/entity_schemas/pizza.yaml <<EOF
  - warehouse_name: rust_notes
    name: Rust notes
    type: text
    tooltip: "added by the Rust liminal"
EOF
CLI="$EMU_BIN" step 2 "rust: diff (a new field)" diff emu
CLI="$EMU_BIN" step 0 "rust: revision" revision emu "add rust notes"
REV3=$(ls versions | grep '_add_rust_notes.rhai$' | cut -c1-12)
CLI="$EMU_BIN" step 0 "rust: upgrade head" upgrade emu head
CLI="$EMU_BIN" step 0 "rust: diff (in sync)" diff emu
cd "$WORK/project"
expect_current "$REV3" " (python reads rust's revision)"

# ---------------------------------------------------------------------------------------------
# Issue 9: Python Liminal killed half-way through a revision; the Rust liminal finishes it.
# On a fresh emulator, Python Liminal upgrades to REV1, then starts upgrading to REV2 with 30 ms
# of latency per request
# and is killed (SIGKILL) once two of REV2's writes have landed; the Rust `upgrade` finds that
# part of REV2 on the tenant, applies the rest and records REV2, which Python then reads.
# ---------------------------------------------------------------------------------------------
writes_seen() {
    "$PY" - "$EMU_URL" <<'EOF'
import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/__emulator/requests"))
print(sum(1 for r in log if r["method"] in ("POST", "PATCH") and "token" not in r["path"]))
EOF
}
set_faults() {
    "$PY" - "$EMU_URL" "$1" <<'EOF'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/__emulator/faults", data=sys.argv[2].encode(), method="POST",
                             headers={"content-type": "application/json"})
urllib.request.urlopen(req)
EOF
}
python_killed_mid_upgrade() {
    stop_emulator
    rm -f "$WORK/state.json"
    start_emulator
    mkdir -p "$WORK/killed"
    cd "$WORK/killed"
    CLI="$EMU_BIN" step 0 "rust: import the Python project" import "$WORK/project" --models pizza_models.v2
    # The import brings env.py's tenant (`emulator`, alias `emu`): point it at this emulator.
    sed -i "s#url: https://emulator.benchling.com#url: $EMU_URL#" liminal.yaml
    # Python Liminal cannot start on a tenant without `liminal_remote`: the Rust liminal records
    # Python's init revision (the imported base), then Python upgrades to REV1 itself.
    CLI="$EMU_BIN" step 0 "rust: stamp the fresh tenant at the base" stamp emu base
    cd "$WORK/project"
    export LIMINAL_MODELS=v1
    step 0 "python: upgrade to REV1" upgrade emu "$REV1"
    expect_current "$REV1" " (before the killed upgrade)"
    # Liminal validates an archived dropdown against the models: REV2's are v2.
    export LIMINAL_MODELS=v2
    set_faults '{"latency_ms": 30}'
    "$LIMINAL" upgrade emu head >"$WORK/killed.log" 2>&1 &
    local pid=$! n=0
    for _ in $(seq 1 600); do
        n=$(writes_seen)
        if [ "$n" -ge 2 ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    set_faults '{}'
    SUMMARY+="python: upgrade head killed after $(writes_seen) write(s)"$'\n'
    if [ "$n" -lt 2 ]; then
        printf '%s' "$SUMMARY" >&2
        echo "FAILED: Python's upgrade ended before it was killed:" >&2
        cat "$WORK/killed.log" >&2
        exit 1
    fi
    expect_current "$REV1" " (Python records only at the end)"

    cd "$WORK/killed"
    CLI="$EMU_BIN" step 0 "rust: upgrade head (finishes REV2)" upgrade emu head --yes
    if ! grep -q "operations are already on the tenant; applying the other" "$WORK/last.log"; then
        printf '%s' "$SUMMARY" >&2
        echo "FAILED: the Rust upgrade did not find Python's part of $REV2 on the tenant:" >&2
        cat "$WORK/last.log" >&2
        exit 1
    fi
    SUMMARY+="rust: $(grep -o 'revision [0-9a-f]*: [0-9]* of [0-9]* operations are already on the tenant' "$WORK/last.log")"$'\n'
    CLI="$EMU_BIN" step 0 "rust: current (expect $REV2)" current emu
    grep -q "$REV2" "$WORK/last.log" || { echo "FAILED: rust current did not print $REV2" >&2; cat "$WORK/last.log" >&2; exit 1; }
    CLI="$EMU_BIN" step 0 "rust: diff (in sync with the v2 models)" diff emu
    cd "$WORK/project"
    expect_current "$REV2" " (python reads the finished revision)"
}
python_killed_mid_upgrade

printf '%s' "$SUMMARY"
echo "liminal-orm cycle passed against the emulator in $(( $(date +%s) - START ))s"

# `liminal import` of a Python Liminal project (issue 10): its own script, its own emulators.
bash "$HERE/run_import_check.sh"
