#!/usr/bin/env bash
# Time to first token with kvbm vs a full recompute, same run, on 2,048-token prompts with ~90% prefix hits:
# 24 requests of 16 trace blocks x 128 tokens, the first 15 blocks shared (the first request hits nothing).
# Runs kvbm replay --engine ENGINE (default llama.cpp) three times and prints the figures of each run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
engine=${1:-llama.cpp}
trace=$(mktemp --suffix=.jsonl)
trap 'rm -f "$trace"' EXIT
for i in $(seq 0 23); do
  echo "{\"timestamp\": $i, \"input_length\": 2048, \"output_length\": 1, \"hash_ids\": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, $((1000 + i))]}"
done > "$trace"
for run in 1 2 3; do
  echo "run $run:"
  "$root/kvbm" replay --engine "$engine" --trace "$trace" --trace-block-tokens 128 --verify 4 --no-progress \
    | grep -E "^hits|hit rate|time to first token|full recompute|own work per block|logits after reuse"
done
