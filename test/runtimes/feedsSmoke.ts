/**
 * Feeds smoke run, the same file under Node (tsx), Deno and Bun: the log of a finished
 * training version on a running platform, read three ways through the SDK's bridges —
 * `for await` over `logs$` (`toAsyncIterable`, paced by a `Demand`), `break` after 10
 * lines, and a `toReadableStream` of Server-Sent Events frames.
 *
 * Environment: `SMOKE_BASE_URL`, `SMOKE_USERNAME`, `SMOKE_PASSWORD` (the platform),
 * `SMOKE_VERSION_ID` (the version to read), `SMOKE_SDK` (the SDK module, as in `smoke.ts`).
 *
 * The last stdout line is one JSON summary. The script never calls `process.exit`: it
 * ends by itself only when no timer, request or poll is left running.
 */
import process from 'node:process';
import { pathToFileURL } from 'node:url';
// Types only: erased before any runtime sees them, so the SDK really loads from `SMOKE_SDK`.
import type * as Sdk from '../../src/index.js';

/** What the run saw, printed as the last stdout line. */
export interface FeedsSmokeSummary {
  readonly runtime: string;
  /** Lines `for await` got, and whether they came in id order without a gap. */
  readonly lines: number;
  readonly inOrder: boolean;
  /** Lines seen before `break`. */
  readonly brokeAfter: number;
  /** SSE frames read from the ReadableStream, and the id of the last one. */
  readonly frames: number;
  readonly lastFrameId: string | undefined;
  readonly error?: string | undefined;
}

function runtime(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

async function loadSdk(): Promise<typeof Sdk> {
  const spec = process.env.SMOKE_SDK;
  if (spec === undefined || spec === '') return import(new URL('../../dist/index.js', import.meta.url).href);
  return import(/^[a-z][a-z0-9+.-]*:/i.test(spec) ? spec : pathToFileURL(spec).href);
}

async function main(): Promise<FeedsSmokeSummary> {
  const sdk = await loadSdk();
  const session = new sdk.Session({
    configPath: false,
    baseUrl: required('SMOKE_BASE_URL'),
    username: required('SMOKE_USERNAME'),
    password: required('SMOKE_PASSWORD'),
    level: 'warn',
  });
  const versionId = Number(required('SMOKE_VERSION_ID'));
  const source = sdk.sourceFromSession(session);

  // 1. every line, for await, paced by the loop
  const demand = sdk.createDemand();
  const events = sdk.logs$(sdk.withDemand(source, demand), versionId, { limit: 500 });
  let lines = 0;
  let inOrder = true;
  for await (const event of sdk.toAsyncIterable(events, { demand })) {
    if (event.type !== 'line' || event.line.id !== lines) inOrder = false;
    lines++;
  }

  // 2. break after 10 lines: the poll stops and nothing keeps the process alive
  let brokeAfter = 0;
  for await (const event of sdk.toAsyncIterable(sdk.logs$(source, versionId, { limit: 5 }))) {
    if (event.type === 'line') brokeAfter++;
    if (brokeAfter === 10) break;
  }

  // 3. SSE frames as a byte stream
  const frames$ = sdk.logs$(source, versionId).pipe(sdk.toServerSentEvents());
  const reader = sdk.toReadableStream(frames$, (frame: string) => frame).getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
  return { runtime: runtime(), lines, inOrder, brokeAfter, frames: ids.length, lastFrameId: ids.at(-1) };
}

main().then(
  (summary) => process.stdout.write(`${JSON.stringify(summary)}\n`),
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ runtime: runtime(), error: String(error) })}\n`);
    process.exitCode = 1;
  },
);
