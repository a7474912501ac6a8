// Quickstart training script (BASIC_FRAMEWORK, node): a nearest-centroid classifier
// for the iris CSV in MODELMAKER_DATA_DIR. Prints `epoch=N accuracy=X` lines (the
// quickstart's monitor reads them) and writes model.json to MODELMAKER_OUTPUT_DIR.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dataDir = process.env.MODELMAKER_DATA_DIR;
const outputDir = process.env.MODELMAKER_OUTPUT_DIR;
const epochs = Number(process.env.MM_HP_EPOCHS ?? 5);

function csvFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return csvFiles(path);
    return entry.name.endsWith('.csv') ? [path] : [];
  });
}

const [file] = csvFiles(dataDir);
const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
const features = header.split(',').slice(0, -1);
const samples = rows.map((row) => {
  const cells = row.split(',');
  return { x: cells.slice(0, -1).map(Number), label: cells.at(-1) };
});
console.log(`read ${samples.length} rows with features ${features.join(', ')}`);

// Each epoch moves the centroids a step closer to the class means: accuracy climbs.
const labels = [...new Set(samples.map((s) => s.label))];
const means = Object.fromEntries(
  labels.map((label) => {
    const own = samples.filter((s) => s.label === label);
    return [label, features.map((_, i) => own.reduce((sum, s) => sum + s.x[i], 0) / own.length)];
  }),
);
const overall = features.map((_, i) => samples.reduce((sum, s) => sum + s.x[i], 0) / samples.length);
const predict = (centroids, x) =>
  labels.reduce(
    (best, label) => {
      const d = centroids[label].reduce((sum, c, i) => sum + (c - x[i]) ** 2, 0);
      return d < best.d ? { label, d } : best;
    },
    { label: labels[0], d: Number.POSITIVE_INFINITY },
  ).label;

let centroids;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const t = epoch / epochs;
  centroids = Object.fromEntries(
    labels.map((l) => [l, means[l].map((m, i) => overall[i] + t * (m - overall[i]))]),
  );
  const correct = samples.filter((s) => predict(centroids, s.x) === s.label).length;
  console.log(`epoch=${epoch} accuracy=${(correct / samples.length).toFixed(4)}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}

mkdirSync(outputDir, { recursive: true });
writeFileSync(join(outputDir, 'model.json'), JSON.stringify({ features, labels, centroids }));
console.log('model written');
