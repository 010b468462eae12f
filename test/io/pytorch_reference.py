"""PyTorch side of test/io/pytorch.test.ts.

Reads a safetensors file written by wasmnn into an equivalent torch.nn.Sequential (strict
load_state_dict), trains a few steps with torch.optim on the same batch, and reports outputs,
loss, gradients and weights; writes torch's own state dict back as safetensors for wasmnn.
The safetensors layout (8-byte little-endian header length, JSON header, raw little-endian data)
is read and written here from its specification, since the safetensors package is not
installable on this workplace.
"""
import json
import sys

import torch
import torch.nn as nn

from pytorch_reference_io import read_safetensors, write_safetensors






def main():
    cfg = json.load(sys.stdin)
    torch.set_default_dtype(torch.float32)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2))
    model.load_state_dict(read_safetensors(cfg["weights"]), strict=True)
    x = torch.tensor(cfg["x"], dtype=torch.float32)
    y = torch.tensor(cfg["y"], dtype=torch.int64)
    loss_fn = nn.CrossEntropyLoss()
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    grads = {k: p.grad.detach().flatten().tolist() for k, p in model.named_parameters()}
    make = {
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.01),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, amsgrad=True),
        "adagrad": lambda ps: torch.optim.Adagrad(ps, lr=0.05, lr_decay=0.01, initial_accumulator_value=0.1),
        "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.01, centered=True, momentum=0.5),
    }[cfg["optimizer"]]
    opt = make(model.parameters())
    for _ in range(cfg["steps"]):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    write_safetensors(cfg["out"], model.state_dict())
    json.dump({
        "output": out.detach().flatten().tolist(),
        "loss": loss.item(),
        "grads": grads,
        "weights": {k: v.flatten().tolist() for k, v in model.state_dict().items()},
    }, sys.stdout)


main()
