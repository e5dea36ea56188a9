// Heap stays flat: trains 10,000 small LSTM steps through the Trainer's batch path and reports
// heap and RSS at the start and the end (after forced GC when available).
//   npm run bench:heap            (runs node --expose-gc --import tsx bench/heap.ts)
//   npm run bench:heap -- --steps 2000
import { Adam } from '../src/train/optim/adam.js';
import { Trainer } from '../src/train/trainer.js';
import { DelayModel, delayData, type DelayBatch } from '../test/helpers/delay-task.js';

const args = process.argv.slice(2);
const stepsArg = args.indexOf('--steps');
const STEPS = stepsArg >= 0 ? Number(args[stepsArg + 1]) : 10_000;

const gc = (globalThis as { gc?: () => void }).gc;
const mib = (n: number) => (n / 1048576).toFixed(2);
function snapshot() {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

const model = new DelayModel(1);
const trainer = new Trainer<DelayBatch>({ model, optimizer: new Adam(model, { lr: 0.01 }), batchSize: 8, step: (b, c) => model.step(b, c) });
const data = delayData(64, 1);
const batches = trainer.epochBatches(data.length, 0).map((idx) => data.batch(idx));
const carry = new Map<string, unknown>();

for (let i = 0; i < 200; i++) trainer.trainBatch(batches[i % batches.length]!, { epoch: 0, batch: i, carry }); // warm-up
const start = snapshot();
const samples: string[] = [];
const t0 = performance.now();
for (let i = 0; i < STEPS; i++) {
  trainer.trainBatch(batches[i % batches.length]!, { epoch: 0, batch: i, carry });
  if ((i + 1) % (STEPS / 10) === 0) {
    const s = snapshot();
    samples.push(`${i + 1}: heap ${mib(s.heap)} MiB, rss ${mib(s.rss)} MiB`);
  }
}
const end = snapshot();
const secs = (performance.now() - t0) / 1000;
console.log(`# Heap over ${STEPS} training steps (LSTM H=16, T=8, B=8)${gc ? '' : ' — run with --expose-gc for exact figures'}`);
for (const s of samples) console.log(`- after ${s}`);
console.log(`\n| | heap used | RSS |\n|---|---|---|\n| start | ${mib(start.heap)} MiB | ${mib(start.rss)} MiB |\n| end | ${mib(end.heap)} MiB | ${mib(end.rss)} MiB |`);
console.log(`\nheap growth: ${mib(end.heap - start.heap)} MiB over ${STEPS} steps (${((end.heap - start.heap) / STEPS).toFixed(1)} B/step); ${(STEPS / secs).toFixed(0)} steps/s`);
