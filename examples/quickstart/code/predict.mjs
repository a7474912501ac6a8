// Quickstart predict server (BASIC_FRAMEWORK, node): answers POST /ModelMaker/predict
// on $PORT with the nearest centroid of each instance, from model.json in MODELMAKER_MODEL_DIR.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

function find(dir, name) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = find(path, name);
      if (found) return found;
    } else if (entry.name === name) return path;
  }
  return undefined;
}

const model = JSON.parse(readFileSync(find(process.env.MODELMAKER_MODEL_DIR, 'model.json'), 'utf8'));
const nearest = (x) =>
  model.labels.reduce(
    (best, label) => {
      const d = model.centroids[label].reduce((sum, c, i) => sum + (c - x[i]) ** 2, 0);
      return d < best.d ? { label, d } : best;
    },
    { label: model.labels[0], d: Number.POSITIVE_INFINITY },
  ).label;

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/ModelMaker/predict') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
    return;
  }
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    try {
      const { instances } = JSON.parse(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ predictions: instances.map(nearest) }));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `expected { instances: number[][] }: ${error.message}` }));
    }
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`predicting on port ${process.env.PORT}`));
