#!/usr/bin/env bash
# End-to-end benchmark: builds release, generates corpora, measures `jobfeed build`
# (wall time, postings/s, output MB/s, peak RSS), the edit-to-served latency of
# `jobfeed serve`, and requests per second against nginx serving the same files, all on
# loopback and each step bounded in time. Prints every figure beside its target and
# writes the full output to benches/results/.
#   bash benches/e2e.sh                 # 1k, 10k and 100k postings
#   SIZES="1000 10000" bash benches/e2e.sh
#   BENCH_TMP=/dev/shm bash benches/e2e.sh   # corpora and outputs on tmpfs: measures the
#                                            # program, not the disk (both tools alike)
#   HUGO_MAX=10000 bash benches/e2e.sh       # skip Hugo above this size (it needs ~20 GB
#                                            # for 100k postings)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-3}
BENCH_TMP=${BENCH_TMP:-/tmp}
HUGO_MAX=${HUGO_MAX:-100000}
WORK=$(mktemp -d "$BENCH_TMP/jobfeed-bench.XXXXXX")
chmod 755 "$WORK"  # nginx workers read the published files as another user
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
RESULT="$ROOT/benches/results/$STAMP.txt"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  rm -rf "$WORK" 2>/dev/null || true
}
trap cleanup EXIT

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
for t in wrk nginx curl; do command -v $t >/dev/null 2>&1 || need+=("$t"); done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  pkgs=(); for t in "${need[@]}"; do case $t in nginx) pkgs+=(nginx-light);; *) pkgs+=("$t");; esac; done
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"
fi

exec > >(tee "$RESULT") 2>&1
echo "jobfeed end-to-end benchmark, $STAMP"
echo "work directory: $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}'))"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
timeout 1800 cargo build --release --locked --quiet --bin jobfeed --example gen-corpus
BIN="$ROOT/target/release/jobfeed"
GEN="$ROOT/target/release/examples/gen-corpus"

etag() { { curl -fsI "$1" 2>/dev/null || true; } | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}'; }
wait_up() { for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "not up: $1"; return 1; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ROWS=()
row() { ROWS+=("$(printf '%-46s %14s   %-14s %s' "$1" "$2" "$3" "$4")"); }
verdict() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { ok = (op=="<=") ? (a<=b) : (a>=b); print ok ? "pass" : "FAIL" }'; }

for N in $SIZES; do
  C="$WORK/c$N"
  # Every run's outputs stay until the size is done (about 65 kB a posting), beside the
  # corpus: a full disk fails the builds, whose figures would then mean nothing.
  # One tree more for the copy floor below.
  need_kb=$(( N * 70 * (RUNS + 1) + N * 10 ))
  avail_kb=$(df -Pk "$WORK" | awk 'NR==2 {print $4}')
  if [ "$avail_kb" -lt "$need_kb" ]; then
    echo "build $N: not run: its $RUNS builds need about $(( need_kb / 1048576 + 1 )) GB free in $WORK, and $(( avail_kb / 1048576 )) GB are (free some, or set BENCH_TMP or RUNS)"
    row "build $N" "not run" "" "FAIL: not enough free disk space"
    continue
  fi
  "$GEN" "$N" "$C" 2>/dev/null
  walls=(); rss=(); failed=""
  for r in $(seq 1 "$RUNS"); do
    # Each build from nothing into a directory of its own: deleting the last build's files
    # just before would charge the file system's search past freshly freed inodes (ext4
    # takes seconds at 10k files) to the build. The old ones go once all runs are done.
    rm -rf "$C/state"
    [ -d "$C/out" ] && mv "$C/out" "$C/out.$r"
    status=0
    /usr/bin/time -v -o "$C/time.txt" timeout 900 "$BIN" build -c "$C/feed.toml" --out "$C/out" --state-dir "$C/state" --quiet 2> "$C/build.log" || status=$?
    if [ "$status" -ne 0 ]; then
      failed="run $r exited $status: $(grep -v '^[[:space:]]*$' "$C/build.log" | grep -v '^Command exited' | tail -1)"
    fi
    walls+=("$(awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$C/time.txt")")
    rss+=("$(awk -F': ' '/Maximum resident/ {print $2/1024}' "$C/time.txt")")
  done
  if [ -n "$failed" ]; then
    echo "build $N: failed ($failed); its figures are not reported"
    row "build $N" "failed" "" "FAIL: $failed"
    rm -rf "$C"/out.*
    continue
  fi
  wall=$(printf '%s\n' "${walls[@]}" | median)
  peak=$(printf '%s\n' "${rss[@]}" | median)
  published=$(grep -o '[0-9]* postings published' "$C/build.log" | awk '{print $1}')
  mb=$(du -sb "$C/out" | awk '{print $1/1e6}')
  echo "build $N: wall ${walls[*]} s, peak RSS ${rss[*]} MB, $published postings, $mb MB written"
  row "build $N: wall time (median of $RUNS)" "$(printf '%.2f s' "$wall")" "" ""
  row "build $N: postings per second" "$(awk -v p="$published" -v w="$wall" 'BEGIN{printf "%.0f", p/w}')" "" ""
  row "build $N: output MB per second" "$(awk -v m="$mb" -v w="$wall" 'BEGIN{printf "%.1f", m/w}')" "" ""
  case $N in
    100000)
      row "build 100k: wall time" "$(printf '%.2f s' "$wall")" "<= 10 s" "$(verdict "$wall" '<=' 10)"
      row "build 100k: peak RSS" "$(printf '%.0f MB' "$peak")" "<= 500 MB" "$(verdict "$peak" '<=' 500)";;
    10000)
      row "build 10k: peak RSS" "$(printf '%.0f MB' "$peak")" "<= 120 MB" "$(verdict "$peak" '<=' 120)";;
    *) row "build $N: peak RSS" "$(printf '%.0f MB' "$peak")" "" "";;
  esac
  # The floor: copying the build's output tree and flushing it as the build does (one
  # syncfs), with no reading, rendering or checking at all. No program that writes these
  # files can be faster on this machine; the ratios below are bounded by it.
  floor=""
  if /usr/bin/time -f %e -o "$C/floor.txt" timeout 900 sh -c 'cp -r "$1" "$2" && sync -f "$2"' _ "$C/out" "$C/floor"; then
    floor=$(tail -1 "$C/floor.txt")
    row "build $N: floor (cp -r + syncfs of its outputs)" "$(printf '%.2f s' "$floor")" "" ""
  else
    row "build $N: floor" "failed" "" "cp -r of the outputs did not finish"
  fi
  echo "$N $peak" >> "$WORK/rss.txt"
  if command -v hugo >/dev/null 2>&1 && [ "$N" -le "$HUGO_MAX" ]; then
    rm -rf "$C/hugo-out"
    /usr/bin/time -v -o "$C/hugo-time.txt" timeout 900 hugo --source "$C/site" --destination "$C/hugo-out" --quiet >/dev/null 2>&1 || true
    hw=$(awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$C/hugo-time.txt")
    hr=$(awk -F': ' '/Maximum resident/ {print $2/1024}' "$C/hugo-time.txt")
    ratio=$(awk -v h="$hw" -v j="$wall" 'BEGIN{printf "%.1f", h/j}')
    row "hugo $N: wall time / peak RSS" "$(printf '%.2f s / %.0f MB' "$hw" "$hr")" "" ""
    if [ "$N" = 100000 ]; then
      row "build 100k: speed-up over hugo" "${ratio}x" ">= 20x" "$(verdict "$ratio" '>=' 20)"
    else
      row "build $N: speed-up over hugo" "${ratio}x" "" ""
    fi
    if [ -n "$floor" ]; then
      row "build $N: hugo / floor (the most reachable)" "$(awk -v h="$hw" -v f="$floor" 'BEGIN{printf "%.1fx", h/f}')" "" ""
    fi
  else
    row "hugo $N" "not run" "" "ratio not measured (not installed, or N > HUGO_MAX)"
  fi
  rm -rf "$C"/out.* "$C/floor"
done
if [ -f "$WORK/rss.txt" ] && [ "$(wc -l < "$WORK/rss.txt")" -ge 2 ]; then
  lin=$(awk 'NR==1{n0=$1; r0=$2} {n=$1; r=$2} END{printf "%.2f", (r/r0)/(n/n0)}' "$WORK/rss.txt")
  row "memory growth (RSS ratio / size ratio, first to last)" "$lin" "<= 1 (linear)" "$(verdict "$lin" '<=' 1)"
fi

# Serving: the 10k corpus (or the largest below it).
S=10000; for N in $SIZES; do [ "$N" -le 10000 ] && S=$N; done
serve_figures() {
C="$WORK/c$S"; rm -rf "$C/sout" "$C/sstate"
PORT=$(free_port)
timeout 900 "$BIN" serve -c "$C/feed.toml" --out "$C/sout" --state-dir "$C/sstate" --listen "127.0.0.1:$PORT" --quiet >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
# The output directory is written behind serving and large files are compressed after they
# are served. Wait until both are done (no temporary left, twice in a row; gzip offered for
# the largest file): edits are timed on a settled daemon, and nginx and wrk see finished files.
settle() {
  local settled=0
  for _ in $(seq 1 600); do
    if [ -d "$C/sout/corpus" ] && [ -z "$(find "$C/sout/corpus" -maxdepth 2 -name '.*.tmp-*' -print -quit)" ]; then
      settled=$((settled + 1)); [ "$settled" -ge 2 ] && break
    else
      settled=0
    fi
    sleep 0.5
  done
  BIG=$(cd "$C/sout/corpus" && find . -maxdepth 1 -type f -not -name '.*' -printf '%s %P\n' | sort -n | tail -1 | cut -d' ' -f2)
  for _ in $(seq 1 600); do
    curl -fsI -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT/corpus/$BIG" 2>/dev/null | tr -d '\r' | grep -qi '^content-encoding: gzip' && break
    sleep 0.2
  done
}
settle
# Each edit is timed until its posting's document has a new ETag (the target), and then
# until the combined RSS feed that lists it has one too; the next edit follows at once.
# Waits (at most about 10 s) until URL $1 has an ETag other than $2.
new_etag() {
  for _ in $(seq 1 2000); do
    now=$(etag "$1")
    [ -n "$now" ] && [ "$now" != "$2" ] && return
    sleep 0.005
  done
}
lat=(); lists=()
feed_url="http://127.0.0.1:$PORT/corpus/rss.xml"
for i in $(seq 0 19); do
  f=$(ls "$C/site/content/en/career" | grep posting | sed -n "$((i * 7 + 1))p")
  id="${f%.md}-en"
  url="http://127.0.0.1:$PORT/corpus/jobs/$id.jsonld"
  old=$(etag "$url"); old_feed=$(etag "$feed_url")
  [ -n "$old" ] || continue
  t0=$(date +%s%N)
  printf '\nEdited for the benchmark, round %s.\n' "$i" >> "$C/site/content/en/career/$f"
  new_etag "$url" "$old"
  lat+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
  new_etag "$feed_url" "$old_feed"
  lists+=("$(( ($(date +%s%N) - t0) / 1000000 ))")
done
edit=$(printf '%s\n' "${lat[@]:-0}" | median)
listed=$(printf '%s\n' "${lists[@]:-0}" | median)
echo "edit latencies (ms): ${lat[*]}"
echo "edit to the combined feed (ms): ${lists[*]}"
row "serve $S: edit to new ETag (median of ${#lat[@]})" "${edit} ms" "<= 200 ms" "$(verdict "$edit" '<=' 200)"
row "serve $S: edit to the feeds that list it" "${listed} ms" "" ""

# Requests per second: jobfeed vs nginx on the same files, same wrk run shape, once the
# last edit's files are on disk and compressed.
settle
NPORT=$(free_port)
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 2;
error_log $WORK/nginx/error.log;
pid $WORK/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  include /etc/nginx/mime.types;
  sendfile on;
  etag on;
  gzip on; gzip_comp_level 6; gzip_types application/xml application/json application/rss+xml application/atom+xml text/plain;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NPORT; root $C/sout; }
}
NGINX
nginx -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)
wait_up "http://127.0.0.1:$NPORT/corpus/$BIG" || cat "$WORK/nginx/error.log"
rps() { timeout 30 wrk -t2 -c32 -d5s "$@" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }
J="http://127.0.0.1:$PORT/corpus/$BIG"; N="http://127.0.0.1:$NPORT/corpus/$BIG"
je=$(etag "$J"); ne=$(etag "$N")
j304=$(rps -H "If-None-Match: $je" "$J"); n304=$(rps -H "If-None-Match: $ne" "$N")
jgz=$(rps -H "Accept-Encoding: gzip" "$J"); ngz=$(rps -H "Accept-Encoding: gzip" "$N")
r304=$(awk -v a="$j304" -v b="$n304" 'BEGIN{printf "%.2f", a/b}')
rgz=$(awk -v a="$jgz" -v b="$ngz" 'BEGIN{printf "%.2f", a/b}')
row "serve: conditional GET (304) req/s, $BIG" "$j304" "" "nginx $n304"
row "serve: 304 req/s relative to nginx" "${r304}x" ">= 0.9x" "$(verdict "$r304" '>=' 0.9)"
row "serve: full gzip GET req/s, $BIG" "$jgz" "" "nginx $ngz"
row "serve: gzip GET req/s relative to nginx" "${rgz}x" ">= 0.9x" "$(verdict "$rgz" '>=' 0.9)"

}
if [ -d "$WORK/c$S/site" ]; then
  serve_figures
else
  row "serve: edit, 304 and gzip figures" "not run" "" "SIZES has no corpus of 10,000 postings or fewer"
fi

echo
printf '%-46s %14s   %-14s %s\n' "figure" "measured" "target" "verdict"
printf '%s\n' "${ROWS[@]}"
cp "$RESULT" "$ROOT/benches/results/latest.txt"
