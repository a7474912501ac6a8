// Training script of the custom example (and of metrics-feed): softmax regression on the
// CSV in MODELMAKER_DATA_DIR, by plain gradient descent. Prints `epoch=N loss=X accuracy=Y`
// once per epoch (the examples' monitors read those lines) and writes model.json to
// MODELMAKER_OUTPUT_DIR.
//
// Settings, first found wins: command-line flags (`--epochs 8 --delay-ms 150`, how a
// CUSTOM job's `userCommandArgs` pass them), hyperparameters (`MM_HP_EPOCHS`,
// `MM_HP_DELAY_MS`, how the platform passes a job's `hyperparameters`), then defaults.
// The delay only paces the epochs, so a watcher sees the metrics arrive one by one.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: flags } = parseArgs({
  options: { epochs: { type: 'string' }, 'delay-ms': { type: 'string' }, rate: { type: 'string' } },
});
const setting = (flag, variable, fallback) => Number(flags[flag] ?? process.env[variable] ?? fallback);
const epochs = setting('epochs', 'MM_HP_EPOCHS', 10);
const delayMs = setting('delay-ms', 'MM_HP_DELAY_MS', 100);
const rate = setting('rate', 'MM_HP_RATE', 1);

function csvFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return csvFiles(path);
    return entry.name.endsWith('.csv') ? [path] : [];
  });
}

const [file] = csvFiles(process.env.MODELMAKER_DATA_DIR);
if (!file) throw new Error(`no .csv file in ${process.env.MODELMAKER_DATA_DIR}`);
const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
const features = header.split(',').slice(0, -1);
const samples = rows.map((row) => {
  const cells = row.split(',');
  return { x: cells.slice(0, -1).map(Number), label: cells.at(-1) };
});
const labels = [...new Set(samples.map((s) => s.label))];
console.log(`read ${samples.length} rows, ${features.length} features, classes ${labels.join(', ')}`);
console.log(`training for ${epochs} epochs, learning rate ${rate}`);

// Standardized features plus a bias term.
const mean = features.map((_, i) => samples.reduce((sum, s) => sum + s.x[i], 0) / samples.length);
const std = features.map((_, i) =>
  Math.sqrt(samples.reduce((sum, s) => sum + (s.x[i] - mean[i]) ** 2, 0) / samples.length || 1),
);
const inputs = samples.map((s) => [...s.x.map((v, i) => (v - mean[i]) / std[i]), 1]);
const targets = samples.map((s) => labels.indexOf(s.label));

const weights = labels.map(() => new Array(features.length + 1).fill(0));
const softmax = (x) => {
  const scores = weights.map((w) => w.reduce((sum, wi, i) => sum + wi * x[i], 0));
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
};

for (let epoch = 1; epoch <= epochs; epoch++) {
  const gradient = weights.map((w) => w.map(() => 0));
  let loss = 0;
  let correct = 0;
  for (let n = 0; n < inputs.length; n++) {
    const x = inputs[n];
    const p = softmax(x);
    loss -= Math.log(p[targets[n]] + 1e-12);
    if (p.indexOf(Math.max(...p)) === targets[n]) correct++;
    for (let k = 0; k < labels.length; k++) {
      const error = p[k] - (k === targets[n] ? 1 : 0);
      for (let i = 0; i < x.length; i++) gradient[k][i] += (error * x[i]) / inputs.length;
    }
  }
  for (let k = 0; k < labels.length; k++) {
    for (let i = 0; i < weights[k].length; i++) weights[k][i] -= rate * gradient[k][i];
  }
  console.log(
    `epoch=${epoch} loss=${(loss / inputs.length).toFixed(4)} accuracy=${(correct / inputs.length).toFixed(4)}`,
  );
  await new Promise((resolve) => setTimeout(resolve, delayMs));
}

const outputDir = process.env.MODELMAKER_OUTPUT_DIR;
mkdirSync(outputDir, { recursive: true });
writeFileSync(join(outputDir, 'model.json'), JSON.stringify({ features, labels, mean, std, weights }));
console.log(`model.json written to ${outputDir}`);
