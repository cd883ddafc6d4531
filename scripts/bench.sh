#!/usr/bin/env bash
# Benchmarks redis-emu against a real redis-server 7.0, in one run, on this machine.
#
#   scripts/bench.sh                 # 100 000 requests per test
#   BENCH_REQUESTS=20000 scripts/bench.sh
#
# What it does:
#   1. builds redis-emu in release mode;
#   2. starts redis-emu and redis-server (no persistence) on free loopback ports;
#   3. runs `redis-benchmark -n N -t set,get,incr,mset,ping,lpush,rpop,sadd,hset,zadd,lrange_100`
#      with -P 1 and with -P 16 against both, and prints requests/s and the ratio emu/redis per
#      test. A test whose commands the engine does not implement yet shows "n/a";
#   4. runs custom commands redis-benchmark's -t cannot name (EVAL, EVALSHA of a small script)
#      against both, with the same ratios;
#   5. runs the engine micro-benchmark (`cargo bench -p redis-emu --bench engine`): commands per
#      second through `Server::execute`, and bytes per key for 1M small string keys counted by
#      an allocator;
#   6. measures Redis's `used_memory` growth for the same data (`DEBUG POPULATE 1000000`: key:N ->
#      value:N), and the resident memory growth of both servers for 1M pipelined SETs;
#   7. times redis-server's SAVE of that data (the engine's RDB write and load times are in
#      the micro-benchmark's output).
#
# Needs redis-server, redis-cli and redis-benchmark on PATH (Debian: redis-server, redis-tools).
# It is heavy (minutes, both cores): run it on a quiet machine, and never from tests.
# Environment: BENCH_REQUESTS (default 100000), BENCH_CLIENTS (default 50),
# BENCH_KEYS (default 1000000).

set -euo pipefail

requests=${BENCH_REQUESTS:-100000}
clients=${BENCH_CLIENTS:-50}
keys=${BENCH_KEYS:-1000000}
tests=(set get incr mset ping lpush rpop sadd hset zadd lrange_100)

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
for tool in redis-server redis-cli redis-benchmark; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool is not on PATH" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A loopback port nothing listens on.
free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

wait_ready() {
    for _ in $(seq 200); do
        redis-cli -p "$1" PING >/dev/null 2>&1 && return
        sleep 0.05
    done
    echo "bench.sh: nothing answers on port $1" >&2
    exit 1
}

echo "Building redis-emu (release)..." >&2
cargo build --release -q -p redis-emu --bin redis-emu
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
emu_binary="$target_dir/release/redis-emu"

emu_port=$(free_port)
"$emu_binary" --port "$emu_port" >"$work/emu.log" 2>&1 &
emu_pid=$!
pids+=("$emu_pid")
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --enable-debug-command yes --dir "$work" --logfile "$work/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
wait_ready "$emu_port"
wait_ready "$redis_port"

# The commands a redis-benchmark test sends, to ask the engine whether it has them.
probe() {
    case "$1" in
        set) echo "SET bench:probe x" ;;
        get) echo "GET bench:probe" ;;
        incr) echo "INCR bench:probe:counter" ;;
        mset) echo "MSET bench:probe:a 1 bench:probe:b 2" ;;
        ping) echo "PING" ;;
        lpush) echo "LPUSH bench:probe:list x" ;;
        rpop) echo "RPOP bench:probe:list" ;;
        sadd) echo "SADD bench:probe:set x" ;;
        hset) echo "HSET bench:probe:hash f v" ;;
        zadd) echo "ZADD bench:probe:zset 1 x" ;;
        lrange_100) printf 'LPUSH bench:probe:list x\nLRANGE bench:probe:list 0 99\n' ;;
    esac
}

emu_tests=()
for t in "${tests[@]}"; do
    if ! probe "$t" | redis-cli -p "$emu_port" 2>&1 | grep -q "unknown command\|wrong number of arguments"; then
        emu_tests+=("$t")
    fi
done

# Runs redis-benchmark and prints "TEST<TAB>requests/s" lines.
run_benchmark() {
    local port=$1 pipeline=$2
    shift 2
    [ "$#" -eq 0 ] && return
    local list
    list=$(IFS=,; echo "$*")
    redis-benchmark -p "$port" -n "$requests" -c "$clients" -P "$pipeline" -t "$list" --csv 2>/dev/null |
        awk -F'","' 'NR > 1 { gsub(/"/, "", $1); gsub(/"/, "", $2); print $1 "\t" $2 }'
}

for pipeline in 1 16; do
    echo "redis-benchmark -P $pipeline against redis-server..." >&2
    run_benchmark "$redis_port" "$pipeline" "${tests[@]}" >"$work/redis-P$pipeline.tsv"
    echo "redis-benchmark -P $pipeline against redis-emu..." >&2
    run_benchmark "$emu_port" "$pipeline" "${emu_tests[@]}" >"$work/emu-P$pipeline.tsv"
done

echo
echo "redis-benchmark: $requests requests per test, $clients clients (requests/s)"
awk -F'\t' '
    FILENAME == ARGV[1] { order[++n] = $1; r1[$1] = $2 }
    FILENAME == ARGV[2] { e1[$1] = $2 }
    FILENAME == ARGV[3] { r16[$1] = $2 }
    FILENAME == ARGV[4] { e16[$1] = $2 }
    function ratio(e, r) { return (e == "" || r == "" || r == 0) ? "n/a" : sprintf("%.2f", e / r) }
    function rate(x) { return x == "" ? "n/a" : sprintf("%.0f", x) }
    END {
        printf "%-36s %12s %12s %7s %12s %12s %7s\n", "test", "redis -P1", "emu -P1", "ratio", "redis -P16", "emu -P16", "ratio"
        for (i = 1; i <= n; i++) {
            t = order[i]
            printf "%-36s %12s %12s %7s %12s %12s %7s\n", t, rate(r1[t]), rate(e1[t]), ratio(e1[t], r1[t]), rate(r16[t]), rate(e16[t]), ratio(e16[t], r16[t])
        }
    }' "$work/redis-P1.tsv" "$work/emu-P1.tsv" "$work/redis-P16.tsv" "$work/emu-P16.tsv"

# Commands redis-benchmark's -t cannot name, sent as custom commands: LABEL then the command.
custom_tests=(
    "EVAL (script: INCR)|EVAL|return redis.call('INCR', KEYS[1])|1|bench:eval"
    "EVALSHA (script: INCR)|EVALSHA|61636018f4e6b5817b89791bbed242f93fa089e3|1|bench:evalsha"
    # XADD runs first and leaves up to ~1100 entries for XRANGE to read.
    "XADD (MAXLEN ~ 1000, auto ID)|XADD|bench:stream|MAXLEN|~|1000|*|field|value"
    "XRANGE (first 10 entries)|XRANGE|bench:stream|-|+|COUNT|10"
)
redis-cli -p "$redis_port" SCRIPT LOAD "return redis.call('INCR', KEYS[1])" >/dev/null
redis-cli -p "$emu_port" SCRIPT LOAD "return redis.call('INCR', KEYS[1])" >/dev/null 2>&1 || true
run_custom() {
    local port=$1 pipeline=$2 args=$3
    IFS='|' read -r -a words <<<"$args"
    redis-benchmark -p "$port" -n "$requests" -c "$clients" -P "$pipeline" --csv "${words[@]:1}" 2>/dev/null |
        awk -F'","' 'NR > 1 { gsub(/"/, "", $2); print $2; exit }'
}
echo
echo "custom commands (requests/s)"
printf "%-36s %12s %12s %7s %12s %12s %7s\n" test "redis -P1" "emu -P1" ratio "redis -P16" "emu -P16" ratio
for entry in "${custom_tests[@]}"; do
    label=${entry%%|*}
    command=$(cut -d'|' -f2 <<<"$entry")
    # COMMAND INFO's first line is the command's name when it exists, empty otherwise.
    if [ "$(redis-cli -p "$emu_port" COMMAND INFO "$command" | head -1)" != "${command,,}" ]; then
        printf "%-36s %12s\n" "$label" "n/a (not in the engine)"
        continue
    fi
    row=()
    for pipeline in 1 16; do
        r=$(run_custom "$redis_port" "$pipeline" "$entry")
        e=$(run_custom "$emu_port" "$pipeline" "$entry")
        row+=("$r" "$e" "$(awk -v e="$e" -v r="$r" 'BEGIN { print (r > 0) ? sprintf("%.2f", e / r) : "n/a" }')")
    done
    printf "%-36s %12.0f %12.0f %7s %12.0f %12.0f %7s\n" "$label" "${row[@]}"
done

echo
echo "Engine alone (Server::execute + encoding, ops/s):"
BENCH_KEYS=$keys cargo bench -q -p redis-emu --bench engine 2>/dev/null | sed 's/^/  /'

echo
echo "Memory for $keys small string keys (key:N -> value:N):"
used_memory() { redis-cli -p "$1" INFO memory | tr -d '\r' | sed -n 's/^used_memory:\([0-9]*\)$/\1/p'; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"; }
# The same data sent as pipelined SETs to both servers, measured as resident memory.
awk -v k="$keys" 'BEGIN {
    for (i = 0; i < k; i++) {
        key = "key:" i; value = "value:" i
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(value), value
    }
}' >"$work/sets.resp"
for target in "redis-server $redis_port $redis_pid" "redis-emu $emu_port $emu_pid"; do
    read -r name port pid <<<"$target"
    if [ "$name" = redis-server ]; then redis-cli -p "$port" FLUSHALL >/dev/null; fi
    if [ "$name" = redis-emu ] && [[ ! " ${emu_tests[*]} " == *" set "* ]]; then
        echo "  $name resident memory: n/a (no SET)"
        continue
    fi
    before=$(rss_kb "$pid")
    redis-cli -p "$port" --pipe <"$work/sets.resp" >/dev/null
    after=$(rss_kb "$pid")
    awk -v a="$after" -v b="$before" -v k="$keys" -v n="$name" \
        'BEGIN { printf "  %s resident memory growth: %.1f bytes/key\n", n, (a - b) * 1024 / k }'
done

# Redis's own accounting (allocator size classes included), for the same data.
redis-cli -p "$redis_port" FLUSHALL >/dev/null
before=$(used_memory "$redis_port")
redis-cli -p "$redis_port" DEBUG POPULATE "$keys" >/dev/null
after=$(used_memory "$redis_port")
awk -v a="$after" -v b="$before" -v k="$keys" 'BEGIN { printf "  redis-server used_memory: %.1f bytes/key\n", (a - b) / k }'

# RDB snapshot of the same data: redis-server's SAVE (the engine's figure is in the
# micro-benchmark's "rdb engine" line).
save_start=$(date +%s%N)
redis-cli -p "$redis_port" SAVE >/dev/null
save_end=$(date +%s%N)
awk -v s="$save_start" -v e="$save_end" -v k="$keys" 'BEGIN { printf "  redis-server SAVE of %d keys: %.3f s\n", k, (e - s) / 1e9 }'
