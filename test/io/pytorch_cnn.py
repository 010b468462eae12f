"""PyTorch side of test/io/pytorch-cnn.test.ts.

mode "make": builds the reference CNN (or, with arch "bn1d-ncl", a small net with BatchNorm1d on [N, C, L]) (conv, batch norm 2d, max pool, conv, average pool, layer
norm, flatten, linear, tanh, batch norm 1d, linear) from a seed, gives the batch-norm buffers
non-trivial values (num_batches_tracked = 3), writes its state dict as safetensors (F32, and
I64 for num_batches_tracked), then on one batch in training mode reports outputs, loss, input
gradient, parameter gradients and the running statistics, takes one Adam step, and reports the
weights and the eval-mode outputs.
mode "check": loads a file written by wasmnn strictly (load_state_dict(strict=True)) and reports
its eval-mode outputs and its state.
safetensors is read and written here from its specification (the package is not installable).
"""
import json
import sys

import torch
import torch.nn as nn

from pytorch_reference_io import read_safetensors, write_safetensors


def model(arch):
    if arch == "bn1d-ncl":
        # BatchNorm1d on [N, C, L]: statistics per channel over the batch and the length.
        return nn.Sequential(
            nn.Conv2d(2, 3, 3, padding=1, bias=False),
            nn.Flatten(2),
            nn.BatchNorm1d(3),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(144, 3),
        )
    # No affine map straight before a batch norm: what it adds equally to every sample (a bias,
    # and through it the layer norm's bias) has a gradient of zero up to rounding, and Adam's
    # first step (≈ lr·sign(grad)) would turn that rounding into ±lr.
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=(1, 2), dilation=(1, 2), bias=False),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 5, (3, 2), stride=(1, 2), padding=(1, 0)),
        nn.AvgPool2d(2, stride=1, padding=1),
        nn.LayerNorm([5, 4, 3]),
        nn.Flatten(),
        nn.Linear(60, 6),
        nn.Tanh(),
        nn.BatchNorm1d(6),
        nn.Linear(6, 3),
    )


def flat(t):
    return t.detach().flatten().tolist()


def state(m):
    return {k: flat(v.float()) for k, v in m.state_dict().items()}


def main():
    cfg = json.load(sys.stdin)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(cfg["seed"])
    m = model(cfg.get("arch", "cnn"))
    x = torch.tensor(cfg["x"], dtype=torch.float32).reshape(cfg["shape"])
    if cfg["mode"] == "check":
        m.load_state_dict(read_safetensors(cfg["weights"]), strict=True)
        m.eval()
        json.dump({"eval": flat(m(x)), "state": state(m)}, sys.stdout)
        return
    g = torch.Generator().manual_seed(cfg["seed"])
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
                mod.running_mean.copy_(torch.rand(mod.num_features, generator=g) - 0.5)
                mod.running_var.copy_(torch.rand(mod.num_features, generator=g) + 0.5)
                mod.num_batches_tracked.fill_(3)
            if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)):
                mod.weight.copy_(torch.rand(mod.weight.shape, generator=g) + 0.5)
                mod.bias.copy_(torch.rand(mod.bias.shape, generator=g) - 0.5)
    write_safetensors(cfg["weights"], m.state_dict())
    y = torch.tensor(cfg["y"], dtype=torch.int64)
    x.requires_grad_(True)
    m.train()
    out = m(x)
    loss = nn.CrossEntropyLoss()(out, y)
    loss.backward()
    result = {
        "output": flat(out), "loss": loss.item(), "input_grad": flat(x.grad),
        "grads": {k: flat(p.grad) for k, p in m.named_parameters()},
        "buffers": {k: flat(v.float()) for k, v in m.named_buffers()},
    }
    torch.optim.Adam(m.parameters(), lr=0.01).step()
    m.eval()
    with torch.no_grad():
        result["eval"] = flat(m(x))
    result["state"] = state(m)
    json.dump(result, sys.stdout)


main()
