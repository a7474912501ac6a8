/**
 * The built-in PRESET_MODEL predictor server: one serving instance of a preset
 * model, as a small `node:http` server. It reads what a serving process sees:
 * `PORT` (listens on 127.0.0.1 there) and `MODELMAKER_MODEL_DIR` (where the
 * model's `modelPath` was downloaded; `model.json` at its top, or else the first
 * one found below it), loads it with `loadPredictor` and answers
 *
 * - `POST /ModelMaker/predict` with `{ "instances": [...] }` → 200 `{ "predictions": [...] }`;
 *   an unreadable request → 400 `{ errorCode: 4000, message }` naming the field;
 * - anything else → 404 / 405 with the same error shape.
 *
 * SIGTERM ends it after the requests in flight. It also exits when its parent
 * (the platform) is gone, so a killed platform leaves no predictor behind.
 * Exit codes: 0 stopped, 2 no loadable model, 1 anything else.
 *
 * Running this module runs the server: it is an entry point, never imported.
 * @module
 */

import { readdir, readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { loadPredictor, PredictInputError } from '../algorithms/predictor.js';
import { BodyTooLargeError, readBody } from '../server/readBody.js';

/** Largest request body, bytes (the gateway's own limit is usually smaller). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** How often the parent is looked for, ms. */
const PARENT_CHECK_MS = 1000;
/** Exit code when no model can be loaded. */
const EXIT_MODEL = 2;

async function findModelJson(directory: string, depth = 0): Promise<string | undefined> {
  const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  if (entries.some((e) => e.isFile() && e.name === 'model.json')) return join(directory, 'model.json');
  if (depth >= 4) return undefined;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const found = await findModelJson(join(directory, entry.name), depth + 1);
    if (found) return found;
  }
  return undefined;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT);
  const directory = process.env.MODELMAKER_MODEL_DIR;
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT is not set to a port number');
  if (!directory) throw new Error('MODELMAKER_MODEL_DIR is not set');
  const file = await findModelJson(directory).catch(() => undefined);
  if (!file) {
    console.error(`error: no model.json in ${directory}`);
    process.exit(EXIT_MODEL);
  }
  let predict: ReturnType<typeof loadPredictor>;
  let algorithm: string;
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as { algorithm?: string };
    predict = loadPredictor(json);
    algorithm = String(json.algorithm);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exit(EXIT_MODEL);
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/ModelMaker/predict') {
      request.resume();
      send(response, 404, { errorCode: 4004, message: `no route ${request.method} ${path}` });
      return;
    }
    if (request.method !== 'POST') {
      request.resume();
      send(response, 405, { errorCode: 4004, message: `${request.method} not allowed on ${path}` });
      return;
    }
    readBody(request, MAX_BODY_BYTES)
      .then((body) => {
        let input: unknown;
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          send(response, 400, { errorCode: 4000, message: 'body: expected JSON' });
          return;
        }
        try {
          send(response, 200, predict(input));
        } catch (error) {
          if (error instanceof PredictInputError)
            send(response, 400, { errorCode: 4000, message: error.message });
          else {
            console.error(error);
            send(response, 500, { errorCode: 5000, message: 'prediction failed' });
          }
        }
      })
      .catch((error: unknown) => {
        if (error instanceof BodyTooLargeError)
          send(response, 413, { errorCode: 4000, message: error.message });
        else response.destroy();
      });
  });
  // Longer than the gateway keeps an idle connection, so the gateway is the side that closes it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(port, '127.0.0.1', () => {
    console.log(`serving ${algorithm} from ${file} on 127.0.0.1:${port}`);
  });

  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) shutdown('the platform is gone');
  }, PARENT_CHECK_MS);
  watch.unref();
  const shutdown = (why: string) => {
    console.log(`stopping: ${why}`);
    clearInterval(watch);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
