#!/usr/bin/env bash
# Re-runs every experiment of docs/EXPERIMENTS.md under each report's own setting (10 seeds each):
# JSON results and full outputs go to $RESULTS (default /tmp/wasmnn-experiments), the plots the doc
# shows to docs/experiments/<run>/, and the tables the doc quotes to docs/experiments/results.md.
# Usage: scripts/experiments.sh [report ...]   (e.g. `scripts/experiments.sh 001 004`; default: all)
# Needs a build (npm run build). Run time: see docs/EXPERIMENTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${RESULTS:-/tmp/wasmnn-experiments}
PLOTS=docs/experiments
mkdir -p "$RESULTS" "$PLOTS"
SELECTED="${*:-}"
wants() { [ -z "$SELECTED" ] || [[ " $SELECTED " == *" $1 "* ]]; }

# One run: `wasmnn train <flags> --json`, its command in <name>.cmd, its outputs in $RESULTS/<name>/.
# A run that fails (e.g. training diverged) is a result too: its JSON is {"error": "<message>"}.
run() {
  local name=$1; shift
  echo "wasmnn train $*" > "$RESULTS/$name.cmd"
  echo "== $name: wasmnn train $*" >&2
  if ! node dist/cli.js train "$@" --json --out "$RESULTS/$name" > "$RESULTS/$name.json" 2> "$RESULTS/$name.err"; then
    node -e 'const m = require("fs").readFileSync(process.argv[1], "utf8").trim(); console.log(JSON.stringify({ error: m }))' "$RESULTS/$name.err" > "$RESULTS/$name.json"
    echo "   failed: $(cat "$RESULTS/$name.err")" >&2
  fi
}
# A run whose plots the doc shows: `shown <name> <plot,plot> <flags>` copies those PNGs to
# docs/experiments/<name>/ (all plots, SVG and PNG, stay in $RESULTS/<name>/).
shown() {
  local name=$1 plots=$2
  shift 2
  run "$name" "$@"
  mkdir -p "$PLOTS/$name"
  for p in ${plots//,/ }; do cp "$RESULTS/$name/$p.png" "$PLOTS/$name/" 2>/dev/null || true; done
}
start=$(date +%s)

if wants 000; then
  # Report 000: disk, 2-25-25-25-2, tanh(10x), MSE on one-hot targets, "uniform distribution + He"
  # for all parameters, 100 epochs, batch 100, 10 rounds
  c="--dataset disk --hidden 25,25,25 --activation tanh --activation-scale 10 --loss mse --outputs 2 --init he-uniform --epochs 100 --batch-size 100 --rounds 10"
  shown 000-sgd  learning-curve,decision-boundary $c --bias-init same --optim sgd  --lr 1e-3
  shown 000-adam learning-curve,decision-boundary $c --bias-init same --optim adam --lr 1e-2
  # what changes the result: zero biases; a summed loss; a 10x larger SGD step
  run 000-sgd-zero-bias  $c --optim sgd  --lr 1e-3 --no-plots
  run 000-adam-zero-bias $c --optim adam --lr 1e-2 --no-plots
  run 000-sgd-sum        $c --bias-init same --optim sgd --lr 1e-3 --reduction sum --no-plots
  run 000-sgd-lr1e-2     $c --bias-init same --optim sgd --lr 1e-2 --no-plots
fi

if wants 001; then
  # Report 001: 2-4-4-1 LeakyReLU (0.01), sigmoid output, BCE, Listing 2.1 init (biases too), full
  # batch, seed 42, training accuracy checked every 100 epochs, stop at 100 %, at most 30 000 epochs
  for ds in xor linear; do
    n=""; [ $ds = linear ] && n="--n-train 100 --n-test 100"
    c="--dataset $ds $n --loss bce --init report001 --batch-size 100 --seed 42 --rounds 10 --early-stop-accuracy 1 --check-every 100 --epochs 30000 --running-metrics"
    shown 001-$ds-adam learning-curve $c --hidden 4,4   --activation leaky_relu --optim adam --lr 1e-2
    shown 001-$ds-sgd  learning-curve $c --hidden 4,4   --activation leaky_relu --optim sgd  --lr 1e-2
    run 001-$ds-relu     $c --hidden 4,4   --activation relu       --optim adam --lr 1e-2 --no-plots
    run 001-$ds-lr1e-4   $c --hidden 4,4   --activation leaky_relu --optim adam --lr 1e-4 --no-plots
    run 001-$ds-hidden16 $c --hidden 16,16 --activation leaky_relu --optim adam --lr 1e-2 --no-plots
  done
  # the previous doc's seed-42 XOR failures (PyTorch's default init): what the network ends as
  node scripts/probe-seed42.mjs > "$RESULTS/001-seed42-probe.txt"
  # the previous doc's "the same with --reduction sum": its XOR Adam command (PyTorch's init, seed 42), mean and summed loss
  c="--dataset xor --hidden 4,4 --activation leaky_relu --output-activation sigmoid --loss bce --init default --seed 42 --early-stop-accuracy 1 --epochs 20000 --batch-size 100 --optim adam --lr 1e-2 --no-plots"
  run 001-previous-xor-adam-mean $c
  run 001-previous-xor-adam-sum  $c --reduction sum
fi

if wants 002; then
  # Report 002: disk, 2-25-25-25-1 ReLU, MSE on 0/1 targets, weights and biases drawn from a normal
  # distribution (std not stated: He's), one sample per update
  c="--dataset disk --hidden 25,25,25 --activation relu --loss mse --outputs 1 --init he-normal --bias-init same --batch-size 1 --rounds 10"
  shown 002-sgd  learning-curve,decision-boundary $c --optim sgd  --lr 5e-5 --epochs 500
  shown 002-adam learning-curve,decision-boundary $c --optim adam --lr 5e-3 --epochs 100
  # the report's Adam figure is at the top of our seeds' range: a smaller step (less per-sample noise)
  run 002-adam-lr1e-3 $c --optim adam --lr 1e-3 --epochs 100 --no-plots
fi

if wants 003; then
  # Report 003: disk, 2-25-25-25-1, MSE, SGD lr 0.01 momentum 0.15, 7 epochs ("rounds"); init and
  # batch size not stated: PyTorch's default init, and N(0, 1) for weights and biases; per sample
  for act in tanh sigmoid relu; do
    c="--dataset disk --hidden 25,25,25 --activation $act --loss mse --outputs 1 --optim sgd --lr 0.01 --momentum 0.15 --epochs 7 --batch-size 1 --rounds 10 --no-plots"
    run 003-$act-default  $c --init default
    run 003-$act-normal-1 $c --init normal --init-std 1 --bias-init same
  done
  # its error count above 100 %: which count and which setting produce it
  STDS=0.6,0.65 node scripts/report003-error.mjs > "$RESULTS/003-error.json"
fi

if wants 004; then
  # Report 004: 2-8-8-1 sigmoid everywhere, MSE, full-batch gradient descent lr 1, stop when the
  # loss is < 0.005, at most 100 000 epochs; init not stated (PyTorch's default)
  for ds in xor linear; do
    n=""; [ $ds = linear ] && n="--n-train 100 --n-test 100"
    shown 004-$ds learning-curve,comparison --dataset $ds $n --hidden 8,8 --activation sigmoid --output-activation sigmoid --loss mse --outputs 1 --init default \
      --optim sgd --lr 1 --batch-size 100 --early-stop-loss 0.005 --epochs 100000 --rounds 10 --running-metrics
  done
  # its Adam variant (docs/experiments/report004-adam.mjs), same network and stopping rule
  node scripts/adam-report004.mjs > "$RESULTS/004-adam-variant.json"
fi

if wants best; then
  # The best settings we found per task (10 seeds each; not the reports' settings)
  run best-disk-ce       --dataset disk --hidden 25,25,25 --activation relu --loss ce --init he-normal --optim adam --lr 1e-2 --epochs 100 --batch-size 100 --rounds 10 --no-plots
  run best-disk-tanh-mse --dataset disk --hidden 25,25,25 --activation tanh --loss mse --outputs 2 --init he-uniform --bias-init same --optim adam --lr 1e-2 --epochs 100 --batch-size 100 --rounds 10 --no-plots
  for ds in xor linear; do
    n=""; [ $ds = linear ] && n="--n-train 100 --n-test 100"
    run best-$ds --dataset $ds $n --hidden 16,16 --activation leaky_relu --loss bce --init report001 --optim adam --lr 1e-2 --batch-size 100 \
      --early-stop-accuracy 1 --epochs 30000 --running-metrics --seed 42 --rounds 10 --no-plots
  done
fi

if wants cars; then
  # Tabular regression: the cars data (vega-datasets), miles per gallon from the other columns (README plot)
  node scripts/cars-csv.mjs "$RESULTS/cars.csv"
  run cars --data "$RESULTS/cars.csv" --target Miles_per_Gallon --exclude Name --impute median --hidden 16 --lr 0.003 --epochs 100
  mkdir -p "$PLOTS/cars"
  cp "$RESULTS/cars"/{history.json,learning-curve.png,learning-curve.svg,predicted-vs-true.png,predicted-vs-true.svg} "$PLOTS/cars/"
fi

# written aside first: a summary that fails (a result missing a figure) leaves the old results.md in place
if ! node scripts/experiments-summary.mjs "$RESULTS" > "$PLOTS/results.md.tmp"; then rm -f "$PLOTS/results.md.tmp"; exit 1; fi
mv "$PLOTS/results.md.tmp" "$PLOTS/results.md"
echo "done in $(( $(date +%s) - start )) s: $RESULTS, $PLOTS/results.md" >&2
