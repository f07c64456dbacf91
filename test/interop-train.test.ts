// examples/train-mnist.ts, shortened: the generated LeNet-5 (compiled from
// examples/lenet5.cnn through the compiler API) trained for 150 SGD steps on
// real MNIST digits must rise well above chance on the 2,000 held-out digits,
// and the safetensors it saves must load back into the same predictions.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { accuracy, buildNet, defaults, loadDigits, train } from "../examples/train-mnist.ts";

describe("train-mnist (shortened)", () => {
  it("splits the package's 10,000 digits into 8,000 / 2,000 without overlap, every class present", () => {
    const { train: tr, test } = loadDigits(1);
    expect([tr.count, test.count]).toEqual([8000, 2000]);
    const classes = new Set(test.y);
    expect(classes.size).toBe(10);
    // no held-out image also in the training set (compare a cheap fingerprint of each image)
    const print = (x: Float32Array, i: number) => Array.from(x.subarray(i * 784 + 200, i * 784 + 600)).join(",");
    const seen = new Set(Array.from({ length: tr.count }, (_, i) => print(tr.x, i)));
    const shared = Array.from({ length: test.count }, (_, i) => print(test.x, i)).filter((p) => seen.has(p));
    expect(shared.length).toBeLessThan(5); // a handful of MNIST digits are exact duplicates
  });

  it("reaches well above chance after 150 steps and saves weights that load back", async () => {
    const net = await buildNet(resolve("examples/lenet5.cnn"), "LeNet5");
    const data = loadDigits(1);
    const lines: string[] = [];
    const out = resolve(".tmp/interop-train/lenet5.safetensors");
    const started = performance.now();
    const result = train(net, data, { ...defaults, epochs: 1, maxSteps: 150, out, write: (t) => lines.push(t), progress: false });
    const seconds = (performance.now() - started) / 1000;
    console.log(`train-mnist shortened: ${lines.join("").trim()} (${seconds.toFixed(1)} s)`);
    expect(result.epochs).toHaveLength(1);
    expect(result.epochs[0]!.steps).toBe(150);
    expect(result.epochs[0]!.accuracy).toBeGreaterThan(0.6);
    expect(lines.join("")).toMatch(/^epoch 1: loss [\d.]+, held-out accuracy [\d.]+ % \(2000 digits\)/);
    const { loadParams } = net as unknown as { loadParams(b: Uint8Array): { params: never; state: never; metadata: Record<string, string> } };
    const loaded = loadParams(readFileSync(out));
    expect(loaded.metadata.model).toBe("LeNet5");
    expect(accuracy(net, loaded.params, loaded.state, data.test)).toBe(result.epochs[0]!.accuracy);
  });
});
