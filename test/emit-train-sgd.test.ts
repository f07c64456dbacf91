// examples/train-sgd.ts, shortened: plain SGD on one fixed random batch must
// lower the loss of the generated LeNet-5.
import { expect, it } from "vitest";
import { trainSgd } from "../examples/train-sgd.ts";

it("plain SGD on the generated LeNet-5 lowers the loss", async () => {
  const run = await trainSgd({ steps: 12, batch: 8, lr: 0.02 });
  expect(run.losses).toHaveLength(12);
  expect(run.losses.every(Number.isFinite)).toBe(true);
  expect(run.losses[0]).toBeGreaterThan(1.5); // ≈ ln 10 for an untrained 10-way softmax
  expect(run.losses.at(-1)!).toBeLessThan(0.7 * run.losses[0]!);
}, 60_000);
