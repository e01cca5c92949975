#!/usr/bin/python3
"""The PyTorch half of the interoperability test (tests/io/torch_export.cpp is the other).

    /usr/bin/python3 tests/io/torch_load.py DIR

For each case in DIR/cases.json (written by `test_io_torch_export DIR export`):
  1. builds the equivalent torch.nn.Sequential (nn.Linear, nn.BatchNorm1d, nn.Dropout, nn.ReLU,
     nn.Tanh, nn.Sigmoid) in the case's dtype, loads DIR/<case>.safetensors into it with
     load_state_dict(strict=True), runs it in eval mode on DIR/<case>.input.bin and compares
     with typegrad's DIR/<case>.output.bin; checks every num_batches_tracked it loaded against
     the case's count; for a case trained before the export, repeats the training passes in
     train mode from DIR/<case>.initial.safetensors on DIR/<case>.train_inputs.bin and compares
     the running statistics torch gets with typegrad's;
  2. gives a second network of the same layers values of its own (running statistics too, and
     num_batches_tracked = the case's count + 1), saves its state dict as
     DIR/<case>.torch.safetensors and its eval-mode output on the same input as
     DIR/<case>.torch_output.bin, for `test_io_torch_export DIR verify` to load into typegrad.

Debian 12 has python3-torch but no python3-safetensors, so the format is read and written here
with struct, json and torch.frombuffer, following the specification: an 8-byte little-endian
header length N, N bytes of JSON, then the tensors back to back. The reader checks what the
reference implementation checks (offsets in range, contiguous, covering the data).

Exits 0 when every case passes, 1 otherwise (including when torch cannot be imported: this test
is not skipped silently).
"""

import json
import struct
import sys
from pathlib import Path

try:
    import torch
    from torch import nn
except ImportError as e:  # pragma: no cover - the message is the point
    print(f"FAILED: cannot import torch with {sys.executable} ({e}); install Debian's python3-torch "
          "(scripts/deps.sh test)", file=sys.stderr)
    sys.exit(1)

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
SIZES = {"F32": 4, "F64": 8, "I64": 8}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    """The tensors of a safetensors file, by name, in the file's header order."""
    raw = path.read_bytes()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes, too short")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} past the end of the file ({len(raw)} bytes)")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = bytearray(raw[8 + n:])  # writable, so torch.frombuffer does not warn
    header.pop("__metadata__", None)
    position = 0
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        if begin != position:
            raise ValueError(f"{path}: tensor {name} begins at {begin}, expected {position}")
        position = end
    if position != len(data):
        raise ValueError(f"{path}: tensors cover {position} bytes of {len(data)}")
    tensors = {}
    for name, entry in header.items():
        dtype = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        count = (end - begin) // SIZES[entry["dtype"]]
        t = torch.frombuffer(data, dtype=dtype, count=count, offset=begin) if count else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(entry["shape"]).clone()
    return tensors


def write_safetensors(path, tensors):
    """Writes tensors in the order of their names, as the reference writer does, without padding."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        b = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def build(layers, dtype):
    modules = []
    for layer in layers:
        kind = layer[0]
        if kind == "linear":
            modules.append(nn.Linear(layer[1], layer[2]))
        elif kind == "batch_norm":
            modules.append(nn.BatchNorm1d(layer[1]))
        elif kind == "dropout":
            modules.append(nn.Dropout(layer[1]))
        elif kind == "relu":
            modules.append(nn.ReLU())
        elif kind == "tanh":
            modules.append(nn.Tanh())
        elif kind == "sigmoid":
            modules.append(nn.Sigmoid())
        else:
            raise ValueError(f"unknown layer {layer}")
    return nn.Sequential(*modules).to(dtype).eval()  # typegrad's forward is inference


def read_matrix(path, dtype, rows, cols):
    data = bytearray(path.read_bytes())
    return torch.frombuffer(data, dtype=dtype).reshape(rows, cols).clone()


def run_case(directory, case):
    name, dtype = case["name"], DTYPES[case["dtype"]]
    rows, n_in, n_out, tolerance = case["rows"], case["in_features"], case["out_features"], case["tolerance"]
    x = read_matrix(directory / f"{name}.input.bin", dtype, rows, n_in)
    ours = read_matrix(directory / f"{name}.output.bin", dtype, rows, n_out)

    # 1. typegrad's checkpoint in torch.
    model = build(case["layers"], dtype)
    state = read_safetensors(directory / f"{name}.safetensors")
    model.load_state_dict(state, strict=True)  # raises on a missing, unexpected or misshapen tensor
    with torch.no_grad():
        theirs = model(x)
    worst = (theirs - ours).abs().max().item()
    print(f"{name}: typegrad's checkpoint loaded into torch.nn.Sequential with strict=True, "
          f"max |difference| {worst:.3g} (tolerance {tolerance:g})")
    ok = worst < tolerance
    batch_norms = [m for m in model if isinstance(m, nn.BatchNorm1d)]
    for m in batch_norms:
        if m.num_batches_tracked.item() != case["num_batches_tracked"]:
            print(f"{name}: num_batches_tracked is {m.num_batches_tracked.item()}, "
                  f"expected {case['num_batches_tracked']}", file=sys.stderr)
            ok = False
    if batch_norms and all((m.running_var == 1).all() for m in batch_norms):
        print(f"{name}: running statistics were never updated, so they test nothing", file=sys.stderr)
        ok = False
    passes = case["num_batches_tracked"]
    if passes > 0:
        trained = build(case["layers"], dtype)
        trained.load_state_dict(read_safetensors(directory / f"{name}.initial.safetensors"), strict=True)
        trained.train()
        inputs = read_matrix(directory / f"{name}.train_inputs.bin", dtype, passes * rows, n_in)
        with torch.no_grad():
            for k in range(passes):
                trained(inputs[k * rows:(k + 1) * rows])
        worst_stat = 0.0
        for key, value in trained.state_dict().items():
            if "running_" in key:
                worst_stat = max(worst_stat, (value - state[key]).abs().max().item())
            elif "num_batches_tracked" in key and value.item() != state[key].item():
                print(f"{name}: {key} is {value.item()} in torch, {state[key].item()} in typegrad", file=sys.stderr)
                ok = False
        print(f"{name}: running statistics after {passes} training passes in torch, "
              f"max |difference| {worst_stat:.3g} (tolerance {tolerance:g})")
        ok = ok and worst_stat < tolerance

    # 2. torch's checkpoint for typegrad.
    torch.manual_seed(1234)
    other = build(case["layers"], dtype)
    with torch.no_grad():
        for p in other.parameters():
            p.uniform_(-0.5, 0.5)  # nonzero biases, and values unlike typegrad's initialiser's
        for m in other:
            if isinstance(m, nn.BatchNorm1d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(case["num_batches_tracked"] + 1)
        y = other(x).contiguous()
    write_safetensors(directory / f"{name}.torch.safetensors", other.state_dict())
    (directory / f"{name}.torch_output.bin").write_bytes(y.numpy().astype(y.numpy().dtype.newbyteorder("<")).tobytes())
    return ok


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} DIR", file=sys.stderr)
        return 2
    directory = Path(sys.argv[1])
    print(f"torch {torch.__version__} ({sys.executable})")
    cases = json.loads((directory / "cases.json").read_text())
    failed = [case["name"] for case in cases if not run_case(directory, case)]
    if failed:
        print(f"FAILED: outputs differ for {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"{len(cases)} typegrad checkpoints load into torch and give typegrad's outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
