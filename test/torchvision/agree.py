# torchvision's models with random weights, run in f64, for the torchvision agreement tests
# (test/torchvision.test.ts, test/torchvision-mobile.test.ts).
# Arguments: the output folder, the image size, and a JSON list of cases {name, batch, train}.
# Per case it writes NAME/weights.safetensors (the state_dict, drawn in f32 so the file holds the
# f64 model's weights exactly) and NAME/result.safetensors (x, y, eval logits; with `train` also
# the training-mode loss, dx, every parameter gradient as grad.KEY and the updated buffers as
# state.KEY), then prints `done NAME`, so the test of one model need not wait for the next ones.
# Prints `no torchvision` and stops when torchvision is missing.
import json, os, struct, sys
import torch
try:
    import torchvision
except ImportError:
    print("no torchvision", flush=True); sys.exit(0)
import torch.nn.functional as F
from safetensors_write import save  # beside this script, so on sys.path

out, size, cases = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])

class ExactHardsigmoid(torch.nn.Module):
    # torch's hardsigmoid backward multiplies by the float constant 1.0f/6 even in float64, which is
    # 2.98e-8 relative off 1/6 (docs/language.md, the mobile activations); relu6(x + 3) / 6 computes
    # the same forward values bit for bit and the exact double 1/6 in its gradient, so for the
    # training comparison every nn.Hardsigmoid module is swapped for it (it has no parameters).
    def forward(self, x):
        return F.relu6(x + 3) / 6

def exact_hardsigmoid(m):
    for mod in list(m.modules()):
        for child, sub in list(mod.named_children()):
            if isinstance(sub, torch.nn.Hardsigmoid):
                setattr(mod, child, ExactHardsigmoid())

for case in cases:
    name, batch, train = case["name"], case["batch"], case["train"]
    torch.manual_seed(0)
    # GoogLeNet and Inception v3 without their auxiliary heads, as the zoo files are written
    kwargs = {"aux_logits": False, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
    m = getattr(torchvision.models, name)(**kwargs)
    with torch.no_grad():
        for mod in m.modules():
            # random affine parameters and running statistics, so every tensor of the state dict matters
            if isinstance(mod, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
                mod.weight.uniform_(0.5, 1.5); mod.bias.uniform_(-0.5, 0.5)
                mod.running_mean.uniform_(-0.5, 0.5); mod.running_var.uniform_(0.5, 2.0)
            # the .cnn side is compiled with dropout(0) for training (see the test)
            if train and isinstance(mod, torch.nn.Dropout):
                mod.p = 0.0
    if train:
        exact_hardsigmoid(m)
    os.makedirs(os.path.join(out, name), exist_ok=True)
    save(os.path.join(out, name, "weights.safetensors"), m.state_dict())
    m = m.double()
    x = torch.randn(batch, 3, size, size, dtype=torch.float64)
    y = torch.randint(0, 1000, (batch,))
    m.eval()
    with torch.no_grad():
        logits = m(x)
    result = {"x": x, "y": y, "logits": logits}
    if train:
        m.train()
        xg = x.clone().requires_grad_(True)
        loss = F.cross_entropy(m(xg), y)
        loss.backward()
        result["loss"] = loss.detach().reshape(1)
        result["dx"] = xg.grad
        for k, p in m.named_parameters(): result["grad." + k] = p.grad
        for k, b in m.named_buffers():
            if not k.endswith("num_batches_tracked"): result["state." + k] = b
    save(os.path.join(out, name, "result.safetensors"), result)
    print("done " + name, flush=True)
