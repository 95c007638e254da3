#!/usr/bin/env bash
# run_check.sh ONNXC DIR [onnxc check options]: `onnxc check` over DIR, or
# skip (77) when DIR is absent, as in a user's clone without ../shared.
onnxc=$1; dir=$2; shift 2
if [ ! -d "$dir" ]; then
  echo "skipped: $dir is absent"
  exit 77
fi
exec "$onnxc" check -j2 "$@" "$dir"
