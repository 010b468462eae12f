"""PyTorch side of test/io/pytorch-classifier-layers.test.ts: Flatten, Dropout, LogSoftmax and
NLLLoss against torch.nn. The dropout mask cannot come from torch's generator, so the test
passes wasmnn's mask and a forward hook applies it in torch (after checking that torch's own
Dropout scales kept elements by the same 1/(1 - p)). Reports train-mode outputs, loss, input and
parameter gradients, the weights after one Adam step and eval-mode outputs."""
import json
import sys

import torch
import torch.nn as nn

from pytorch_reference_io import read_safetensors


def main():
    cfg = json.load(sys.stdin)
    torch.manual_seed(0)
    p = cfg["p"]
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 6), nn.ReLU(), nn.Dropout(p), nn.Linear(6, 3), nn.LogSoftmax(dim=1))
    model.load_state_dict(read_safetensors(cfg["weights"]), strict=True)
    kept = nn.Dropout(p)(torch.ones(10000))
    torch_scale = kept[kept != 0].unique().tolist()
    mask = torch.tensor(cfg["mask"], dtype=torch.float32).reshape(-1, 6)
    model[3].register_forward_hook(lambda m, inp, out: inp[0] * mask if m.training else out)
    x = torch.tensor(cfg["x"], dtype=torch.float32).reshape(cfg["shape"]).requires_grad_(True)
    y = torch.tensor(cfg["y"], dtype=torch.int64)
    loss_fn = nn.NLLLoss(reduction=cfg["reduction"])
    model.train()
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    grads = {k: v.grad.flatten().tolist() for k, v in model.named_parameters()}
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    opt.step()
    model.eval()
    with torch.no_grad():
        eval_out = model(x)
    json.dump({
        "torchScale": torch_scale,
        "output": out.detach().flatten().tolist(),
        "loss": loss.item(),
        "gradInput": x.grad.flatten().tolist(),
        "grads": grads,
        "weights": {k: v.flatten().tolist() for k, v in model.state_dict().items()},
        "evalOutput": eval_out.flatten().tolist(),
        "repr": [repr(m) for m in model],
    }, sys.stdout)


main()
