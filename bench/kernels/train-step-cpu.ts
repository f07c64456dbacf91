// One workload's forward and training step, timed by the wall clock and by
// process.cpuUsage (the CPU time is what to compare on a loaded machine):
// TF.js-cpu (bench/contenders/tfjs.ts) one forward then one step, no warm-up
// (a ResNet-18 step takes tens of minutes), or the generated TS module twice
// each (first and warm calls).
//   nice node --import tsx bench/kernels/train-step-cpu.ts W6 tfjs|cnnc
import { buildGenerated, loadGenerated } from "../contenders/generated.ts";
import { buildTfNet } from "../contenders/tfjs.ts";
import { loadModel, makeData, WORKLOADS } from "../workloads.ts";

const [id, who] = process.argv.slice(2);
const w = WORKLOADS.find((x) => x.id === id);
if (!w || (who !== "tfjs" && who !== "cnnc")) throw new Error("usage: train-step-cpu.ts <W1…W6> tfjs|cnnc");
const model = loadModel(w);
const data = makeData(model, w.batch);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let net: { forward(): unknown; trainStep(): number };
if (who === "tfjs") {
  const tf = await import("@tensorflow/tfjs");
  await tf.setBackend("cpu");
  await tf.ready();
  net = buildTfNet(tf, model, data, w.batch, model.loss !== null);
} else {
  net = await loadGenerated(buildGenerated(model, w.file.replace(/^.*\//, "")).path, data, w.batch, model.output.reduce((a, b) => a * b, 1));
}
const calls: ["forward" | "train", () => unknown][] = [
  ["forward", () => net.forward()],
  ["train", () => net.trainStep()],
];
for (const [mode, fn] of who === "tfjs" ? calls : [calls[0], calls[0], calls[1], calls[1]]) {
  const t0 = performance.now();
  const c0 = cpu();
  const r = fn();
  const loss = mode === "train" ? ` loss ${r as number}` : "";
  console.log(`${new Date().toISOString()} ${id} ${who} ${mode}: ${Math.round(performance.now() - t0)} ms wall, ${Math.round(cpu() - c0)} ms CPU${loss}`);
}
