#!/usr/bin/env bash
# Fuzzes one target of fuzz/Mapd.Fuzz with AFL++ through SharpFuzz, and reports what it measured.
#
#   fuzz/run.sh TARGET [EXECUTIONS] [--update-corpus]
#
# TARGET is session-frames, metadata or requests; EXECUTIONS defaults to 1,000,000. The run
# starts from the target's seeds and its committed corpus (fuzz/corpus/TARGET), works in
# fuzz/out/TARGET, and exits non-zero when it saved a crash or a hang, after replaying each one
# with its stack trace. --update-corpus replaces the committed corpus with what the run grew,
# minimised by afl-cmin. Installs afl++ (Debian) and the SharpFuzz tool when they are missing.
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"

update=false
arguments=()
for argument in "$@"; do
    if [[ "$argument" == --update-corpus ]]; then update=true; else arguments+=("$argument"); fi
done
target="${arguments[0]:-}"
executions="${arguments[1]:-1000000}"
case "$target" in
    session-frames | metadata | requests) ;;
    *) echo "usage: fuzz/run.sh TARGET [EXECUTIONS] [--update-corpus]; the targets are session-frames, metadata, requests" >&2; exit 64 ;;
esac

if ! command -v afl-fuzz >/dev/null; then
    echo "fuzz/run.sh: installing afl++"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
(cd "$fuzz" && dotnet tool restore >/dev/null)

work="$fuzz/out/$target"
rm -rf "$work"
mkdir -p "$work/in"

# A fresh build each time: SharpFuzz instruments in place and refuses an assembly twice.
echo "fuzz/run.sh: building and instrumenting"
dotnet publish "$fuzz/Mapd.Fuzz" -c Release -o "$work/bin" --nologo -v quiet
for assembly in mapd.dll Mapd.Protocol.dll Google.Protobuf.dll; do
    (cd "$fuzz" && dotnet tool run sharpfuzz "$work/bin/$assembly")
done
run=("$(command -v dotnet)" "$work/bin/mapd-fuzz.dll" "$target")

dotnet "$work/bin/mapd-fuzz.dll" seed "$target" "$work/in"
if [[ -d "$fuzz/corpus/$target" ]]; then
    cp "$fuzz/corpus/$target"/* "$work/in/"
fi

dictionary=()
[[ -f "$fuzz/dictionaries/$target.dict" ]] && dictionary=(-x "$fuzz/dictionaries/$target.dict")

# dotnet itself carries no AFL instrumentation (the assemblies do); nothing here reads core dumps;
# the machine is shared, so no core is claimed. A call that takes 5 s is a hang.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
    AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=120000
echo "fuzz/run.sh: fuzzing $target for $executions executions (log: $work/afl.log)"
afl-fuzz -i "$work/in" -o "$work/findings" -E "$executions" -t 5000 "${dictionary[@]}" -- "${run[@]}" >"$work/afl.log" 2>&1 || {
    tail -n 30 "$work/afl.log" >&2
    exit 1
}

stats="$work/findings/default/fuzzer_stats"
stat() { awk -v key="$1" '$1 == key { print $3 }' "$stats"; }
crashes="$(stat saved_crashes)"
hangs="$(stat saved_hangs)"
printf '%s: %s executions in %s s (%s exec/s), %s crashes, %s hangs, %s inputs in the queue, stability %s\n' \
    "$target" "$(stat execs_done)" "$(stat run_time)" "$(stat execs_per_sec)" \
    "$crashes" "$hangs" "$(stat corpus_count)" "$(stat stability)"

if ((crashes + hangs > 0)); then
    echo "fuzz/run.sh: replaying what AFL++ saved:" >&2
    "${run[@]}" "$work/findings/default/crashes" "$work/findings/default/hangs" >&2 || true
    exit 1
fi

if $update; then
    echo "fuzz/run.sh: minimising the queue into fuzz/corpus/$target"
    afl-cmin -i "$work/findings/default/queue" -o "$work/minimised" -t 5000 -- "${run[@]}" >"$work/cmin.log" 2>&1
    rm -rf "$fuzz/corpus/$target"
    mkdir -p "$fuzz/corpus/$target"
    for input in "$work/minimised"/*; do
        cp "$input" "$fuzz/corpus/$target/$(sha1sum "$input" | cut -c1-16)"
    done
    echo "fuzz/run.sh: fuzz/corpus/$target holds $(ls "$fuzz/corpus/$target" | wc -l) inputs ($(du -sh "$fuzz/corpus/$target" | cut -f1))"
fi
