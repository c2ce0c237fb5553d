#!/usr/bin/env bash
# A throwaway S3 engine for Shuttle's S3 tests: Ceph RADOS Gateway from Debian's packages, one
# monitor + one OSD + radosgw, all on 127.0.0.1, no systemd, no Docker.
#
#   sudo scripts/s3-rgw.sh install   # apt-get ceph-mon ceph-osd radosgw (~69 MB download, ~270 MB disk)
#   eval "$(scripts/s3-rgw.sh start)"  # starts it (~5 s), creates the S3 user and $S3_BUCKET,
#                                      # prints S3_ENDPOINT S3_REGION S3_ACCESS_KEY S3_SECRET_KEY
#                                      # S3_BUCKET S3_FORCE_PATH_STYLE as export lines
#   scripts/s3-rgw.sh env             # prints those lines again
#   scripts/s3-rgw.sh status          # daemons and their RSS
#   scripts/s3-rgw.sh stop            # SIGKILL the daemons by their pid files, delete RGW_DIR
#
# Settings (environment): RGW_DIR (/tmp/shuttle-rgw), RGW_PORT (7480), MON_V2_PORT (3300),
# MON_V1_PORT (6789), OSD_STORE (bluestore | memstore), OSD_SIZE_GB (8), RGW_MIN_PART_SIZE
# (5242880, AWS's rule), S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET (shuttle).
#
# Why the unusual settings (learned on this kind of machine, see ../shared/reference/ceph-rgw.md):
# * cephx is off; radosgw 16.2 then needs "ms mon client mode = crc secure" or it retries auth
#   for 300 s and exits.
# * Monitor proposals are committed every 50 ms and RGW's pools are created up front, otherwise
#   each lazily created pool costs ~2 s on the first bucket / object / multipart upload.
# * bluestore on a sparse file keeps the OSD at ~130 MB RSS; memstore keeps every byte in RAM.
# * Clients use path-style addressing and region us-east-1.
set -euo pipefail

RGW_DIR=${RGW_DIR:-/tmp/shuttle-rgw}
RGW_PORT=${RGW_PORT:-7480}
MON_V2_PORT=${MON_V2_PORT:-3300}
MON_V1_PORT=${MON_V1_PORT:-6789}
OSD_STORE=${OSD_STORE:-bluestore}
OSD_SIZE_GB=${OSD_SIZE_GB:-8}
RGW_MIN_PART_SIZE=${RGW_MIN_PART_SIZE:-5242880}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-SHUTTLEACCESSKEY0000}
S3_SECRET_KEY=${S3_SECRET_KEY:-shuttlesecretkey00000000000000000000000000}
S3_BUCKET=${S3_BUCKET:-shuttle}
CONF="$RGW_DIR/ceph.conf"
DAEMONS=(client.rgw.a osd.0 mon.a)
case "$OSD_STORE" in memstore | bluestore) ;; *) echo "OSD_STORE must be memstore or bluestore" >&2; exit 2 ;; esac

log() { printf '[s3-rgw %s] %s\n' "$(date +%T)" "$*" >&2; }
ceph_() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }

wait_for() { # wait_for <seconds> <what> <command...>
  local limit=$1 what=$2
  shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then log "timed out after ${limit}s waiting for $what"; return 1; fi
    sleep 0.2
  done
}

# SigV4-signed request with curl (>= 7.75); RGW rejects SigV4 without x-amz-content-sha256.
s3_curl() {
  curl -sf -o /dev/null -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
    --aws-sigv4 'aws:amz:us-east-1:s3' --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$@"
}

cmd_install() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null; then
    log "already installed: $(ceph --version)"
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends ceph-mon ceph-osd radosgw curl uuid-runtime >/dev/null
  log "installed: $(ceph --version)"
}

write_conf() {
  local bytes=$((OSD_SIZE_GB * 1024 * 1024 * 1024))
  cat >"$CONF" <<EOF
[global]
fsid = $1
mon initial members = a
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
public network = 127.0.0.1/32
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
auth allow insecure global id reclaim = false
run dir = $RGW_DIR/run
admin socket = $RGW_DIR/run/\$name.asok
pid file = $RGW_DIR/run/\$name.pid
log file = $RGW_DIR/log/\$name.log
keyring = $RGW_DIR/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
paxos propose interval = 0.05
paxos min wait = 0.01
[mon]
mon data = $RGW_DIR/mon/\$cluster-\$id
[osd]
osd data = $RGW_DIR/osd/\$cluster-\$id
osd objectstore = $OSD_STORE
memstore device bytes = $bytes
bluestore block path = $RGW_DIR/osd/block
bluestore block create = true
bluestore block size = $bytes
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mount = false
bluestore fsck on mkfs = false
osd op num shards = 2
osd op num threads per shard = 2
bluestore cache autotune = false
bluestore cache size = 134217728
osd memory target = 939524096
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $RGW_DIR/rgw
rgw thread pool size = 64
rgw enable usage log = false
rgw multipart min part size = $RGW_MIN_PART_SIZE
EOF
}

pid_of() { local f="$RGW_DIR/run/$1.pid"; [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

# SIGKILL: the state is thrown away anyway, and a graceful stop of all three at once makes
# radosgw wait 10 s for the vanished OSD.
kill_all() {
  local n p pids=()
  for n in "${DAEMONS[@]}"; do if p=$(pid_of "$n"); then pids+=("$p"); fi; done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${pids[@]}"; do if kill -0 "$p" 2>/dev/null; then alive=1; fi; done
    [ $alive = 1 ] || break
    sleep 0.1
  done
  log "stopped ${#pids[@]} daemon(s)"
}

cmd_start() {
  command -v radosgw >/dev/null && command -v curl >/dev/null && command -v uuidgen >/dev/null ||
    { log "ceph/radosgw not installed; run: sudo $0 install"; exit 1; }
  if [ -e "$RGW_DIR/run/mon.a.pid" ]; then log "$RGW_DIR already holds a cluster; run: $0 stop"; exit 1; fi
  local t0=$SECONDS port
  for port in "$RGW_PORT" "$MON_V2_PORT" "$MON_V1_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then log "127.0.0.1:$port is already in use"; exit 1; fi
  done
  rm -rf "$RGW_DIR"
  mkdir -p "$RGW_DIR"/{run,log,mon/ceph-a,osd/ceph-0,rgw}
  # On failure: kill what was started, keep the logs for diagnosis.
  trap 'log "start FAILED; logs in $RGW_DIR/log"; kill_all' EXIT
  local fsid uuid id
  fsid=$(uuidgen)
  write_conf "$fsid"

  ceph-authtool --create-keyring "$RGW_DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" \
    "$RGW_DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$RGW_DIR/monmap" --keyring "$RGW_DIR/keyring"
  ceph-mon -c "$CONF" -i a
  wait_for 30 "monitor" ceph_ mon stat

  uuid=$(uuidgen)
  id=$(ceph_ osd new "$uuid")
  ceph-osd -c "$CONF" -i "$id" --mkfs --osd-uuid "$uuid" >"$RGW_DIR/log/osd-mkfs.out" 2>&1 ||
    { cat "$RGW_DIR/log/osd-mkfs.out" >&2; exit 1; }
  ceph-osd -c "$CONF" -i "$id" >>"$RGW_DIR/log/osd-start.out" 2>&1
  wait_for 60 "osd.$id" bash -c "ceph -c '$CONF' osd dump | grep -q '^osd.$id up'"

  local pools=(.rgw.root default.rgw.log default.rgw.control default.rgw.meta
    default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec) p have
  for p in "${pools[@]}"; do # one ceph CLI process for all of them: each start costs ~0.2 s
    printf 'osd pool create %s 8 8\nosd pool application enable %s rgw\n' "$p" "$p"
  done | timeout 60 ceph -c "$CONF" >"$RGW_DIR/log/pools.out" 2>&1
  have=$(ceph_ osd pool ls)
  for p in "${pools[@]}"; do
    grep -qx -- "$p" <<<"$have" || { log "pool $p missing"; cat "$RGW_DIR/log/pools.out" >&2; exit 1; }
  done

  radosgw -c "$CONF" -n client.rgw.a >>"$RGW_DIR/log/rgw-start.out" 2>&1
  wait_for 120 "radosgw" bash -c \
    "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$RGW_PORT/)\" = 200 ]"
  radosgw-admin -c "$CONF" user create --uid=shuttle --display-name=Shuttle \
    --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >"$RGW_DIR/log/user.json" 2>"$RGW_DIR/log/user.err"
  # Ready = an authenticated S3 call succeeds (the user may take a moment to be visible).
  wait_for 30 "authenticated ListBuckets" s3_curl "http://127.0.0.1:$RGW_PORT/"
  wait_for 30 "bucket $S3_BUCKET" s3_curl -X PUT "http://127.0.0.1:$RGW_PORT/$S3_BUCKET"
  trap - EXIT
  log "ready in $((SECONDS - t0))s ($OSD_STORE, $RGW_DIR)"
  cmd_env
}

cmd_env() {
  echo "export S3_ENDPOINT=http://127.0.0.1:$RGW_PORT"
  echo "export S3_REGION=us-east-1"
  echo "export S3_ACCESS_KEY=$S3_ACCESS_KEY"
  echo "export S3_SECRET_KEY=$S3_SECRET_KEY"
  echo "export S3_BUCKET=$S3_BUCKET"
  echo "export S3_FORCE_PATH_STYLE=true"
}

cmd_status() {
  local n p
  for n in "${DAEMONS[@]}"; do
    if p=$(pid_of "$n"); then echo "$n pid $p rss_kb $(ps -o rss= -p "$p")"; else echo "$n not running"; fi
  done
}

cmd_stop() {
  kill_all
  if [ "${KEEP_RGW_DIR:-0}" != 1 ]; then rm -rf "$RGW_DIR"; fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 install|start|stop|status|env" >&2; exit 2 ;;
esac
