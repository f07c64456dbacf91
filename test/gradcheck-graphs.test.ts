// `cnnc gradcheck` on the graph examples: the U-Net (concat skips read by
// @label references, transposed-conv upsampling, no loss) and the small
// residual network (add with identity and projected shortcuts). One CLI run
// each at batch 1 or 2, one entry per tensor: about 5 s of CPU each, most of
// it building and laying out the f64 module; the timeouts allow for a loaded
// machine.
import { describe, expect, it } from "vitest";
import { cnnc } from "./cli-helpers.ts";

/** The result column of each tensor row of the table `cnnc gradcheck` prints. */
function rows(stdout: string): Map<string, { checked: number; result: string }> {
  const out = new Map<string, { checked: number; result: string }>();
  for (const m of stdout.matchAll(/^(\S+)\s+\[[\d, ]*\]\s+(\d+)\s+(\d+)\s+\S+\s+(pass|FAIL)$/gm)) {
    out.set(m[1], { checked: Number(m[2]), result: m[4] });
  }
  return out;
}

describe("cnnc gradcheck on graph examples", () => {
  it("examples/unet.cnn: the encoder's first conv (reached through the skips and the bottom), every op kind, and dx pass", async () => {
    // dec1.conv1 reads the last concat; up3 is the deepest upsampling; enc1.conv1's gradient sums the
    // skip into dec1 and the path through the whole encoder and decoder
    const tensors = ["enc1.conv1.weight", "enc2.bn1.bias", "bottom.bn2.weight", "up3.weight", "up3.bias", "dec1.conv1.weight", "head.weight", "head.bias", "dx"];
    const r = await cnnc("gradcheck", "examples/unet.cnn", "--batch", "1", "--samples", "1", "--seed", "4", "--tensors", tensors.join(","));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gradcheck UNet: batch 1,/m);
    const got = rows(r.stdout);
    expect([...got.keys()]).toEqual(tensors);
    for (const [name, row] of got) expect(row, name).toEqual({ checked: 1, result: "pass" });
    expect(r.stdout).toMatch(/^PASS: 9 tensors, 9 entries checked, 0 skipped$/m);
  }, 240_000);

  it("examples/residual.cnn: every parameter (identity and projected shortcuts), the loss and dx pass", async () => {
    const r = await cnnc("gradcheck", "examples/residual.cnn", "--batch", "2", "--samples", "1", "--seed", "2");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const got = rows(r.stdout);
    for (const name of ["loss", "conv1.weight", "layer1.conv2.weight", "layer2.shortcut.0.weight", "layer3.shortcut.1.bias", "fc.weight", "dx"]) {
      expect(got.get(name), name).toEqual({ checked: 1, result: "pass" });
    }
    expect([...got.values()].every((row) => row.result === "pass" && row.checked === 1)).toBe(true);
    // the loss, 29 parameter tensors and dx
    expect(got.size).toBe(31);
    expect(r.stdout).toMatch(/^PASS: 31 tensors, 31 entries checked, 0 skipped$/m);
  }, 240_000);
});
