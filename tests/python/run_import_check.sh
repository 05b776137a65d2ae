#!/usr/bin/env bash
# `liminal import` against the real Python liminal-orm 5.1.0 (issue 10). For two projects (the
# shop of import_project/: a link cycle between new schemas, a parent link, a name template, a
# unit, a constraint field; and the pizza of project/, whose env.py picks its models at run time),
# Python Liminal writes two revisions and upgrades an emulator to its head; the Rust liminal then
# takes it over with `liminal import` and nothing else:
#   - `check` is clean, `current` and `history --tenant` show Python's head, `diff` is in sync;
#   - the imported chain upgrades a fresh emulator to the same state as Python's (ids aside);
#   - `downgrade -1` and `upgrade head` run on Python's tenant, and Python still reads the revision;
#   - revisions liminal-orm writes with all 19 operation classes import and load.
# Python's plain `generate-files` also runs against the emulator (it lists results schemas).
#
#   tests/python/run_import_check.sh         # venv in $LIMINAL_PY_VENV (default /tmp/limpy)
#   KEEP=1 tests/python/run_import_check.sh  # keep the work folder
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
PYLIMINAL="$VENV/bin/liminal"
cargo build --quiet --bin liminal --manifest-path "$ROOT/Cargo.toml"
RUST="$TARGET/debug/liminal"

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "${KEEP:-}" = 1 ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# start_emulator NAME: sets URL_<NAME>
start_emulator() {
    local name=$1
    "$RUST" emulator --port 0 --state "$WORK/$name.json" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PIDS+=($!)
    local url=""
    for _ in $(seq 1 100); do
        # The shell may not have created the file yet: sed then fails, which set -e must not see.
        url=$(sed -n 's/^listening on //p' "$WORK/$name.out" 2>/dev/null || true)
        if [ -n "$url" ]; then break; fi
        sleep 0.1
    done
    if [ -z "$url" ]; then
        echo "emulator $name did not start:" >&2
        cat "$WORK/$name.err" >&2
        exit 1
    fi
    printf -v "URL_$name" '%s' "$url"
}

SUMMARY=""
# run <expected exit code> <label> <command...>; output in $WORK/last.log
run() {
    local expected=$1 label=$2
    shift 2
    local rc t0
    t0=$(date +%s.%N)
    set +e
    "$@" >"$WORK/last.log" 2>&1
    rc=$?
    set -e
    SUMMARY+=$(printf '%-44s exit %s  %5ss' "$label" "$rc" \
        "$("$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")")$'\n'
    if [ "$rc" != "$expected" ]; then
        printf '%s' "$SUMMARY" >&2
        echo "FAILED: $* exited $rc, expected $expected" >&2
        cat "$WORK/last.log" >&2
        exit 1
    fi
}

expect_in_log() {
    if ! grep -q -- "$1" "$WORK/last.log"; then
        printf '%s' "$SUMMARY" >&2
        echo "FAILED: expected \"$1\" in the output:" >&2
        cat "$WORK/last.log" >&2
        exit 1
    fi
}

# The tenant state with ids replaced by names, for comparing two emulators.
normalised_state() {
    "$PY" - "$1" <<'EOF'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1].rstrip("/") + "/__emulator/state"))
# The Rust liminal's lease field (issue 9) is bookkeeping, like revision_id: Python has none.
for s in state.get("schemas", []):
    if s["warehouse_name"] == "liminal_remote":
        s["fields"] = [f for f in s.get("fields", []) if f["warehouse_name"] != "liminal_lock"]
names = {}
for u in state.get("units", []):
    names[u["id"]] = "unit:" + u["name"]
for s in state.get("schemas", []):
    names[s["id"]] = "schema:" + s["warehouse_name"]
    for f in s.get("fields", []):
        names[f["id"]] = "field:" + s["warehouse_name"] + "." + f["warehouse_name"]
for d in state.get("dropdowns", []):
    names[d["id"]] = "dropdown:" + d["name"]
    for o in d.get("options", []):
        names[o["id"]] = "option:" + d["name"] + "/" + o["name"]
def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if k not in ("id", "next_id")}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str):
        return names.get(v, v)
    return v
out = {
    "schemas": sorted((norm(s) for s in state.get("schemas", [])), key=lambda s: s["warehouse_name"]),
    "dropdowns": sorted((norm(d) for d in state.get("dropdowns", [])), key=lambda d: d["name"]),
}
print(json.dumps(out, indent=1, sort_keys=True))
EOF
}

export PATH="$VENV/bin:$PATH"
export EMU_CLIENT_ID=liminal EMU_CLIENT_SECRET=liminal

# check_clean LABEL: `liminal check` exits 0 and warns only about what reviewers of a revision are
# told anyway (LM1xx destructive, LM2xx incompatible operations: the imported revisions were
# reviewed and applied already) and the codes in $CHECK_MAY_WARN (a regex).
check_clean() {
    run 0 "$1 rust: check" "$RUST" --format json check
    if ! "$PY" - "$WORK/last.log" "${CHECK_MAY_WARN:-^LM[12]}" <<'EOF'
import json, re, sys
doc = json.load(open(sys.argv[1]))
allowed = re.compile(sys.argv[2])
bad = [f for f in doc["findings"] if f["suppressed"] is None
       and (f["severity"] == "error" or not allowed.search(f["code"]))]
for f in bad:
    print(f"{f['severity']}[{f['code']}] {f['file']}:{f['line']}: {f['message']}", file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
    then
        echo "FAILED: check of the imported project is not clean" >&2
        exit 1
    fi
}

# take_over NAME SETUP SET_MODELS [import options...]: Python Liminal makes project NAME (SETUP
# copies its files into the folder after `liminal init`; SET_MODELS v1|v2 switches its models)
# and upgrades emulator NAME_py to its head through two revisions; the Rust liminal imports it
# and checks everything against that tenant and a fresh emulator NAME_rs.
take_over() {
    local name=$1 setup=$2 set_models=$3
    shift 3
    start_emulator "${name}_py"
    start_emulator "${name}_rs"
    local url_py_var="URL_${name}_py" url_rs_var="URL_${name}_rs"
    local url_py=${!url_py_var} url_rs=${!url_rs_var}
    local pyproj="$WORK/$name/python" rsproj="$WORK/$name/rust"
    mkdir -p "$pyproj" "$rsproj"
    cd "$pyproj"
    export EMU_URL="$url_py"
    run 0 "$name python: init" "$PYLIMINAL" init
    "$setup"
    "$set_models" v1
    run 0 "$name python: revision (v1)" "$PYLIMINAL" revision emu "first models"
    local rev1 rev2
    rev1=$(ls liminal/versions | grep '_first_models.py$' | cut -c1-12)
    run 0 "$name python: upgrade head" "$PYLIMINAL" upgrade emu head
    "$set_models" v2
    run 0 "$name python: revision (v2)" "$PYLIMINAL" revision emu "second models"
    rev2=$(ls liminal/versions | grep '_second_models.py$' | cut -c1-12)
    run 0 "$name python: upgrade head" "$PYLIMINAL" upgrade emu head

    # `liminal import` writes liminal.yaml (with env.py's tenant `emulator`, alias `emu`, whose
    # client id and secret env.py reads from EMU_CLIENT_ID/EMU_CLIENT_SECRET), versions/ and
    # schemas/. Only the emulator's URL is set by hand (env.py redirects the SDK at run time).
    cd "$rsproj"
    run 0 "$name rust: import" "$RUST" import "$pyproj" "$@"
    run 1 "$name rust: import again (refuses)" "$RUST" import "$pyproj" "$@"
    expect_in_log "--overwrite"
    run 0 "$name rust: import --overwrite" "$RUST" import "$pyproj" "$@" --overwrite
    grep -q "^    client_id_env: EMU_CLIENT_ID$" liminal.yaml || { echo "FAILED: env.py's tenant is not in liminal.yaml" >&2; cat liminal.yaml >&2; exit 1; }
    sed -i "s#url: https://emulator.benchling.com#url: $url_py#" liminal.yaml
    cat >>liminal.yaml <<EOF
  fresh:
    url: $url_rs
    client_id_env: EMU_CLIENT_ID
    client_secret_env: EMU_CLIENT_SECRET
EOF
    check_clean "$name"
    run 0 "$name rust: head (expect $rev2)" "$RUST" head
    expect_in_log "$rev2"
    run 0 "$name rust: current emu (expect $rev2)" "$RUST" current emu
    expect_in_log "$rev2"
    run 0 "$name rust: history --tenant emu" "$RUST" history --tenant emu
    expect_in_log "$rev2 .*emulator is here"
    run 0 "$name rust: diff emu (in sync)" "$RUST" diff emu
    run 0 "$name rust: check --tenant emu" "$RUST" check --tenant emu

    # The imported chain on a fresh tenant gives Python's tenant.
    run 0 "$name rust: upgrade fresh head" "$RUST" upgrade fresh head --yes
    normalised_state "$url_py" >"$WORK/$name/python_tenant.json"
    normalised_state "$url_rs" >"$WORK/$name/rust_tenant.json"
    if ! diff -u "$WORK/$name/python_tenant.json" "$WORK/$name/rust_tenant.json" >"$WORK/$name/state.diff"; then
        printf '%s' "$SUMMARY" >&2
        echo "FAILED: the imported chain gives another tenant than Python's (- python, + rust):" >&2
        cat "$WORK/$name/state.diff" >&2
        exit 1
    fi
    SUMMARY+="$name: same normalised state from Python and from the imported chain"$'\n'

    # Downgrade and upgrade Python's tenant through the imported revisions.
    run 0 "$name rust: downgrade emu -1" "$RUST" downgrade emu -1 --yes
    run 0 "$name rust: current emu (expect $rev1)" "$RUST" current emu
    expect_in_log "$rev1"
    run 2 "$name rust: diff emu (v2 code, differs)" "$RUST" diff emu
    run 0 "$name rust: upgrade emu head" "$RUST" upgrade emu head --yes
    run 0 "$name rust: diff emu (in sync)" "$RUST" diff emu
    cd "$pyproj"
    run 0 "$name python: current (expect $rev2)" "$PYLIMINAL" current emu
    expect_in_log "$rev2"
}

# The shop (import_project/): a link cycle between new schemas, a parent link, a name template
# with a template-based naming strategy, a unit, a constraint field; env.py imports one package.
shop_setup() {
    cp "$HERE/import_project/env.py" liminal/env.py
}
shop_models() {
    rm -rf shop_models
    cp -r "$HERE/import_project/models_$1" shop_models
}
take_over shop shop_setup shop_models
run 0 "shop python: generate-files (results schemas listed)" "$PYLIMINAL" generate-files emu -p "$WORK/generated"
# The models as Liminal's generate-files lays them out (nested packages, relative imports, an
# __init__ per class) import to the same schema files as the hand-written ones.
mkdir -p "$WORK/generated_python/liminal" "$WORK/generated_rust"
cp -r "$WORK/shop/python/liminal/versions" "$WORK/generated_python/liminal/"
cp -r "$WORK/generated" "$WORK/generated_python/generated"
printf 'from generated.dropdowns import *  # noqa\nfrom generated.entity_schemas import *  # noqa\n' \
    >"$WORK/generated_python/liminal/env.py"
cd "$WORK/generated_rust"
run 0 "shop rust: import (generate-files models)" "$RUST" import "$WORK/generated_python"
if ! diff -r schemas "$WORK/shop/rust/schemas" >"$WORK/generated.diff"; then
    echo "FAILED: generate-files models import differently:" >&2
    cat "$WORK/generated.diff" >&2
    exit 1
fi

# The pizza of run_liminal_cycle.sh (project/): env.py picks its models at run time, so the
# import names them.
pizza_setup() {
    cp "$HERE/project/emulator_env.py" liminal/env.py
    cp -r "$HERE/project/pizza_models" .
}
pizza_models() {
    export LIMINAL_MODELS=$1
}
# Liminal's own downgrade of the second revision does not restore the order of fields and
# options exactly (see run_liminal_cycle.sh); check says so, faithfully.
CHECK_MAY_WARN="^LM[12]|^LM302$" \
    take_over pizza pizza_setup pizza_models --models pizza_models.v2

# All 19 operation classes as liminal-orm writes them (and reads them back) convert and load.
run 0 "python: write all 19 operations" "$PY" "$HERE/import_project/all_operations.py" "$WORK/allops"
mkdir "$WORK/allops_rust"
cd "$WORK/allops_rust"
run 0 "rust: import (all operations)" "$RUST" import "$WORK/allops"
CHECK_MAY_WARN="^LM[1235]" check_clean "all operations"   # its models are one dropdown
for op in create_dropdown archive_dropdown unarchive_dropdown rename_dropdown create_dropdown_option archive_dropdown_option \
    unarchive_dropdown_option rename_dropdown_option reorder_dropdown_options create_schema archive_schema \
    unarchive_schema update_schema set_name_template create_field archive_field unarchive_field update_field \
    reorder_fields; do
    if ! grep -q "^        $op(" versions/*.rhai; then
        echo "FAILED: no $op( in the imported revisions" >&2
        exit 1
    fi
done

printf '%s' "$SUMMARY"
echo "liminal import check passed against the emulator in $(( $(date +%s) - START ))s"
