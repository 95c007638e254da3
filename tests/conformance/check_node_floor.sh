#!/usr/bin/env bash
# check_node_floor.sh ONNXC NODE_DIR PASSING_LIST [--sample N K] [onnxc check options]
# Runs every ONNX backend node test; fails if any case on the checked-in
# list does not pass (the floor only goes up), and names cases that pass
# but are not on the list yet, so they can be added.
# --sample N K: only the cases whose place in name order is K modulo N (and
# only those of the list), for the CI tier's extra optimization levels.
set -u
onnxc=$1; dir=$2; list=$3; shift 3
every=1; offset=0
if [ "${1:-}" = --sample ]; then
  every=$2; offset=$3; shift 3
fi
if [ ! -d "$dir" ]; then
  echo "skipped: $dir is absent (apt-get install libonnx-testdata)"
  exit 77
fi
log=$(mktemp)
ls "$dir" | sort | awk -v n="$every" -v k="$offset" '(NR - 1) % n == k' > "$log.cases"
if [ "$every" = 1 ]; then
  "$onnxc" check -j2 "$@" "$dir" > "$log"
else
  echo "every case whose place in name order is $offset modulo $every: $(wc -l < "$log.cases") cases"
  sed "s|^|$dir/|" "$log.cases" | xargs "$onnxc" check -j2 "$@" > "$log"
fi
tail -n 1 "$log"
grep '^PASS ' "$log" | cut -d' ' -f2 | sort > "$log.pass"
sort "$list" | grep -v '^#' | grep -v '^$' > "$log.floor"
if [ "$every" != 1 ]; then
  comm -12 "$log.floor" "$log.cases" > "$log.sampled"
  mv "$log.sampled" "$log.floor"
fi
missing=$(comm -23 "$log.floor" "$log.pass")
extra=$(comm -13 "$log.floor" "$log.pass")
total=$(grep -c -E '^(PASS|FAIL|SKIP) ' "$log")
passed=$(wc -l < "$log.pass")
echo "node tests: $passed of $total pass ($((100 * passed / total))%), floor $(wc -l < "$log.floor")"
if [ -n "$extra" ]; then
  echo "passing but not yet on the floor list (add them to $list):"
  echo "$extra" | sed 's/^/  /'
fi
status=0
if [ -n "$missing" ]; then
  echo "REGRESSION: these cases are on the floor list but did not pass:"
  for c in $missing; do grep -E "^(FAIL|SKIP) $c(:|$)" "$log" | sed 's/^/  /'; done
  status=1
fi
rm -f "$log" "$log.pass" "$log.floor" "$log.cases"
exit $status
