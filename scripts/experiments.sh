#!/usr/bin/env bash
# Re-runs every experiment of docs/EXPERIMENTS.md; JSON results go to $RESULTS (default
# /tmp/wasmnn-experiments), plots of experiments 1 and 2 to docs/experiments/.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${RESULTS:-/tmp/wasmnn-experiments}
mkdir -p "$RESULTS"
W="node dist/cli.js train"
run() { local name=$1; shift; echo "== $name: wasmnn train $*" >&2; $W "$@" --json > "$RESULTS/$name.json"; }

# 1. Disk, 2-25-25-25-2, MSE on one-hot targets, 100 epochs, batch 100, 10 rounds
run 1-sgd  --dataset disk --hidden 25,25,25 --loss mse --outputs 2 --init default --optim sgd  --lr 1e-3 --epochs 100 --batch-size 100 --rounds 10 --out docs/experiments/1-sgd
run 1-adam --dataset disk --hidden 25,25,25 --loss mse --outputs 2 --init default --optim adam --lr 1e-2 --epochs 100 --batch-size 100 --rounds 10 --out docs/experiments/1-adam
run 1-sgd-sum  --dataset disk --hidden 25,25,25 --loss mse --reduction sum --outputs 2 --init default --optim sgd  --lr 1e-3 --epochs 100 --batch-size 100 --rounds 10 --no-plots --out "$RESULTS/plots-1"
run 1-adam-sum --dataset disk --hidden 25,25,25 --loss mse --reduction sum --outputs 2 --init default --optim adam --lr 1e-2 --epochs 100 --batch-size 100 --rounds 10 --no-plots --out "$RESULTS/plots-1"
# 2. Disk, 2-25-25-25-1, ReLU, MSE, per-sample updates
run 2-sgd  --dataset disk --hidden 25,25,25 --loss mse --outputs 1 --init default --optim sgd  --lr 5e-5 --epochs 500 --batch-size 1 --rounds 10 --out docs/experiments/2-sgd
run 2-adam --dataset disk --hidden 25,25,25 --loss mse --outputs 1 --init default --optim adam --lr 5e-3 --epochs 100 --batch-size 1 --rounds 10 --out docs/experiments/2-adam
run 2-adam-b100 --dataset disk --hidden 25,25,25 --loss mse --outputs 1 --init default --optim adam --lr 5e-3 --epochs 100 --batch-size 100 --rounds 10 --no-plots --out "$RESULTS/plots-2"
# 3. Disk, 2-25-25-25-1, SGD lr 0.01 momentum 0.15, MSE, 7 epochs, three activations, two batch sizes
for act in tanh sigmoid relu; do
  for bs in 1 100; do
    run "3-$act-b$bs" --dataset disk --hidden 25,25,25 --activation $act --loss mse --outputs 1 --init default --optim sgd --lr 0.01 --momentum 0.15 --epochs 7 --batch-size $bs --rounds 10 --no-plots --out "$RESULTS/plots-3"
  done
done
# 4. Linear (n = 100) and XOR-easy, 2-4-4-1, LeakyReLU, sigmoid output, BCE, seed 42, full batch, stop at 100 %
for ds in linear xor; do
  for red in mean sum; do
  common="--reduction $red --dataset $ds --n-train 100 --n-test 1000 --loss bce --output-activation sigmoid --init default --seed 42 --early-stop-accuracy 1 --epochs 20000 --batch-size 100 --no-plots --out $RESULTS/plots-4"
  run "4-$ds-$red-adam"      $common --hidden 4,4 --activation leaky_relu --optim adam --lr 1e-2
  run "4-$ds-$red-sgd"       $common --hidden 4,4 --activation leaky_relu --optim sgd  --lr 1e-2
  run "4-$ds-$red-relu"      $common --hidden 4,4 --activation relu       --optim adam --lr 1e-2
  run "4-$ds-$red-adam1e-4"  $common --hidden 4,4 --activation leaky_relu --optim adam --lr 1e-4
  run "4-$ds-$red-hidden16"  $common --hidden 16,16 --activation leaky_relu --optim adam --lr 1e-2
  done
done
# 5. Linear and XOR-easy, 2-8-8-1, sigmoid everywhere, MSE, full-batch gradient descent lr 1.0
for ds in linear xor; do
  for red in mean sum; do
  run "5-$ds-$red" --reduction $red --dataset $ds --n-train 100 --n-test 1000 --hidden 8,8 --activation sigmoid --output-activation sigmoid --loss mse --outputs 1 --init default --seed 42 --optim sgd --lr 1 --epochs 5000 --batch-size 100 --no-plots --out "$RESULTS/plots-5"
  done
done
# The decision-boundary SVGs are 1.5 MB each (one rectangle per grid cell); the PNGs are committed.
rm -f docs/experiments/*/decision-boundary.svg
echo "done: $RESULTS" >&2

# Tabular regression: the cars data (vega-datasets), miles per gallon from the other columns (README plot)
node scripts/cars-csv.mjs "$RESULTS/cars.csv"
run cars --data "$RESULTS/cars.csv" --target Miles_per_Gallon --exclude Name --impute median --hidden 16 --lr 0.003 --epochs 100 --out docs/experiments/cars
rm -f docs/experiments/cars/model.safetensors
