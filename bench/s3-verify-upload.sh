#!/usr/bin/env bash
# One 1 GiB `shuttle upload` against `shuttle serve --store s3` (8 MiB parts) on a Ceph RGW of its
# own (scripts/s3-rgw.sh, ports 17480/13300/16789, server on 18080), verified (the default) and
# with --no-verify, interleaved, a fresh random file each run (so instant upload never applies).
# Prints wall time, MiB/s, client CPU and peak RSS (/usr/bin/time), and server CPU (/proc/PID/stat).
#   bench/s3-verify-upload.sh            # REPS=2; W=DIR to choose the work directory (deleted at the end)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLI="$ROOT/packages/cli/bin/shuttle.js"
W=${W:-$(mktemp -d /tmp/shuttle-s3-verify-XXXX)}
REPS=${REPS:-2}
export RGW_DIR=$W/rgw RGW_PORT=17480 MON_V2_PORT=13300 MON_V1_PORT=16789 OSD_SIZE_GB=14 S3_BUCKET=measure
eval "$($ROOT/scripts/s3-rgw.sh start)"
node "$CLI" serve --host 127.0.0.1 --port 18080 --dir $W/unused --quiet --store s3 --s3-bucket "$S3_BUCKET" \
  --s3-endpoint "$S3_ENDPOINT" --s3-access-key "$S3_ACCESS_KEY" --s3-secret-key "$S3_SECRET_KEY" > $W/serve.log 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null; $ROOT/scripts/s3-rgw.sh stop >/dev/null 2>&1; rm -rf "$W"' EXIT
for i in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:18080/healthz && break; sleep 0.2; done
cpu() { awk '{print $14 + $15}' /proc/$SERVE/stat; }
for rep in $(seq 1 $REPS); do
  for mode in verify no-verify; do
    head -c 1073741824 /dev/urandom > $W/big.bin
    extra=""; [ $mode = no-verify ] && extra="--no-verify"
    rm -rf $W/state
    before=$(cpu); t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S %M" \
      node "$CLI" upload $W/big.bin --endpoint http://127.0.0.1:18080/files/ --json --quiet --state-dir $W/state $extra \
      > $W/out-$mode-$rep.json 2> $W/time-$mode-$rep.txt
    t1=$(date +%s.%N); after=$(cpu)
    read cu cs cm < <(tail -1 $W/time-$mode-$rep.txt)
    awk -v m=$mode -v r=$rep -v t0=$t0 -v t1=$t1 -v cu=$cu -v cs=$cs -v cm=$cm -v sb=$before -v sa=$after \
      -v v="$(grep -o '"verified":[a-z]*' $W/out-$mode-$rep.json)" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN { w = t1 - t0; printf "%-9s rep %d: %6.1f s, %5.1f MiB/s, client CPU %.1f s (RSS %d MiB), server CPU %.1f s, %s, load %s\n", m, r, w, 1024 / w, cu + cs, cm / 1024, (sa - sb) / 100, v, load }'
  done
done
