// Serving script of the custom example: answers POST /ModelMaker/predict on 127.0.0.1:$PORT
// with the class of each instance, from the model.json that train.mjs wrote (found under
// MODELMAKER_MODEL_DIR, where the platform put the model's files).
// Request `{ "instances": [[5.1, 3.5, 1.4, 0.2], …] }` → `{ "predictions": ["setosa", …] }`.
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

const modelFile = find(process.env.MODELMAKER_MODEL_DIR, 'model.json');
if (!modelFile) throw new Error(`no model.json under ${process.env.MODELMAKER_MODEL_DIR}`);
const { features, labels, mean, std, weights } = JSON.parse(readFileSync(modelFile, 'utf8'));

function classify(instance) {
  if (!Array.isArray(instance) || instance.length !== features.length) {
    throw new Error(`each instance must be ${features.length} numbers: ${features.join(', ')}`);
  }
  const x = [...instance.map((v, i) => (Number(v) - mean[i]) / std[i]), 1];
  const scores = weights.map((w) => w.reduce((sum, wi, i) => sum + wi * x[i], 0));
  return labels[scores.indexOf(Math.max(...scores))];
}

const reply = (res, status, body) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/ModelMaker/predict') {
    reply(res, 404, { message: 'not found: POST /ModelMaker/predict' });
    return;
  }
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    try {
      const { instances } = JSON.parse(body);
      reply(res, 200, { predictions: instances.map(classify) });
    } catch (error) {
      reply(res, 400, { message: `expected { instances: number[][] }: ${error.message}` });
    }
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`serving on port ${process.env.PORT}`));
