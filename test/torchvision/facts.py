import json, sys, time
import torch, torchvision
# Construction without the cost of random init: only names and shapes are read.
for name in dir(torch.nn.init):
    f = getattr(torch.nn.init, name)
    if callable(f) and name.endswith("_") and not name.startswith("_"):
        setattr(torch.nn.init, name, lambda t, *a, **k: t)
out = {}
for name in sys.argv[1:]:
    t = time.time()
    m = getattr(torchvision.models, name)()
    sd = m.state_dict()
    out[name] = {
        "params": sum(p.numel() for p in m.parameters()),
        "keys": [[k, list(v.shape)] for k, v in sd.items() if not k.endswith("num_batches_tracked")],
        "seconds": round(time.time() - t, 2),
    }
print(json.dumps(out))
