"""safetensors reading and writing for the PyTorch-side test scripts (the safetensors package is
not installable here; the layout is read and written from its specification). F32 and I64."""
import json
import struct

import torch

DTYPES = {"F32": torch.float32, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    """int64 tensors are written as I64 (torch's num_batches_tracked), everything else as F32."""
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        dtype = "I64" if t.dtype == torch.int64 else "F32"
        b = t.detach().contiguous().to(DTYPES[dtype]).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
