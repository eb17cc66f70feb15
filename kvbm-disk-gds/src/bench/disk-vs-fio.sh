#!/usr/bin/env bash
# G2->G3 write and G3->G2 read through kvbm's disk engine next to fio --direct=1 on the same file system, block
# size and queue depth (4), in one run. Needs fio (measuring only; no test needs it) and a built kvbm-disk-gds.
# usage: disk-vs-fio.sh DIR [TOTAL_BYTES=2147483648] [ENGINES="posix io_uring"]
set -euo pipefail
dir=${1:?directory on the file system to measure}
total=${2:-2147483648}
engines=${3:-posix io_uring}
root=$(cd "$(dirname "$0")/../../.." && pwd)
. "$root/.mvn/jdk25.sh"; command -v kvbm_find_jdk >/dev/null && kvbm_find_jdk
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
mp="$root/kvbm-api/target/kvbm-api-0.1.0-SNAPSHOT.jar:$root/kvbm-disk-gds/target/kvbm-disk-gds-0.1.0-SNAPSHOT.jar"
mkdir -p "$dir"
echo "file system: $(df -T "$dir" | tail -1)"
echo "kernel $(uname -r), $(nproc) CPUs"
for bs in 262144 2097152; do
  echo "=== block size $bs, queue depth 4 ==="
  for engine in $engines; do
    "$java" --enable-native-access=dev.kvbm.tier.disk -p "$mp" -m dev.kvbm.tier.disk/dev.kvbm.tier.disk.DiskCopyProbe \
      "$dir" "$bs" "$total" "$engine" 16 4 3
  done
  for rw in randwrite randread; do
    # psync x 4 jobs = four synchronous threads, the posix engine's model; libaio depth 4 for reference.
    for eng in "--ioengine=psync --numjobs=4 --io_size=$((total / 4))" "--ioengine=libaio --iodepth=4 --numjobs=1"; do
      fio --name=kvbm --filename="$dir/fio-probe.dat" --size="$total" --bs="$bs" --direct=1 --rw=$rw $eng \
        --group_reporting --randrepeat=0 --output-format=json | python3 -c "
import json, sys
j = json.load(sys.stdin)['jobs'][0]
side = 'read' if '$rw' == 'randread' else 'write'
print('fio %-9s %-48s %.2f GB/s' % ('$rw', '$eng', j[side]['bw_bytes'] / 1e9))"
    done
  done
done
rm -f "$dir/fio-probe.dat"
