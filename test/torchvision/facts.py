# torchvision's facts about the zoo's models, for test/torchvision-zoo.test.ts:
# per model its parameter count, its state_dict() names and shapes
# (num_batches_tracked left out), its output shape for one sample of
# torchvision's input size (299x299 for inception_v3, 224x224 for the others),
# the output shape of every module that holds a tensor of its own, and the p
# of every StochasticDepth the model applies (MBConv and FusedMBConv hold one
# but apply it only with their residual, `use_res_connect`).
# The arguments are torchvision constructor names; one JSON object goes to
# stdout, keyed by name ({"missing": "torchvision"} when it is not installed).
import json, sys
import torch
try:
    import torchvision
except ImportError:
    print(json.dumps({"missing": "torchvision"})); sys.exit(0)

# Construction without the cost of random init: only names and shapes are read.
for name in dir(torch.nn.init):
    f = getattr(torch.nn.init, name)
    if callable(f) and name.endswith("_") and not name.startswith("_"):
        setattr(torch.nn.init, name, lambda t, *a, **k: t)

# The zoo leaves out the auxiliary classifiers (docs in the .cnn files).
KWARGS = {
    "googlenet": {"aux_logits": False, "init_weights": False},
    "inception_v3": {"aux_logits": False, "init_weights": False},
}

def facts(name):
    shape = [3, 299, 299] if name == "inception_v3" else [3, 224, 224]
    make = getattr(torchvision.models, name, None)
    if not callable(make):
        return {"error": f"torchvision.models has no constructor {name}"}
    m = make(**KWARGS.get(name, {}))
    params = sum(p.numel() for p in m.parameters())
    keys = [[k, list(v.shape)] for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")]
    modules = dict(m.named_modules())
    depth = {path: mod.p for path, mod in modules.items()
             if isinstance(mod, torchvision.ops.StochasticDepth) and getattr(modules[path.rpartition(".")[0]], "use_res_connect", True)}
    # a forward on meta tensors infers every shape without computing anything
    m = m.to("meta").eval()
    layers = {}
    def record(path):
        def hook(module, args, out):
            layers.setdefault(path, []).append(list(out.shape[1:]))
        return hook
    for path, mod in m.named_modules():
        if any(True for _ in mod.parameters(recurse=False)) or any(True for _ in mod.buffers(recurse=False)):
            mod.register_forward_hook(record(path))
    with torch.no_grad():
        out = m(torch.empty(1, *shape, device="meta"))
    return {"params": params, "keys": keys, "input": shape, "output": list(out.shape[1:]), "layers": layers, "depth": depth}

print(json.dumps({name: facts(name) for name in sys.argv[1:]}))
