/**
 * A metrics feed for another system: starts a training job and writes its status and
 * metrics as they happen, one JSON object per line (NDJSON) on stdout — and, with
 * `--sse <port>`, serves the same records as Server-Sent Events on
 * `http://127.0.0.1:<port>/events` (port 0 picks a free one; the address is printed).
 * It ends when the job ends, after cleaning up (the job deleted, the platform closed).
 *
 * stdout carries only the feed; progress goes to stderr. The records:
 *
 *   {"seq":0,"type":"created","time":"…","jobId":1,"versionId":1}
 *   {"seq":1,"type":"status","time":"…","status":"DOWNLOAD_DATA"}
 *   {"seq":4,"type":"metric","time":"…","name":"accuracy","value":0.8,"at":"…"}
 *   {"seq":29,"type":"end","time":"…","status":"FINISH"}
 *
 * Both outputs are the SDK's feed bridges: stdout is `toNdjson()` read with `for await`
 * (`toAsyncIterable`), and the SSE stream is `toServerSentEvents` (each record an event
 * named by its `type`, with `id` its `seq`) sent as a `toReadableStream`. A client that
 * connects late gets every record from the start, and one that reconnects with
 * `Last-Event-ID` gets what came after it (`resumeCursor`); an id the feed never sent is
 * answered with 400. The job (`examples/custom/train.mjs`, run
 * as a BASIC_FRAMEWORK `node` job) logs `epoch=… loss=… accuracy=…`; the platform's
 * performance monitor turns those lines into the metrics (`at` is when the line was
 * logged), read through `trainingWatch`, whose pollers any other watcher of this version
 * in the program would share. Ctrl-C stops the job (the feed then ends
 * with its STOPPED status). Exit code 0 when the job finished (FINISH), else 1.
 *
 * With no configuration it starts an embedded local ModelMaker platform in this process;
 * with a config file (`~/.modelmaker/config.json` or `MODELMAKER_CONFIG`) the same script
 * runs against that platform. Run:
 *
 *   npx tsx examples/metrics-feed.ts [--epochs 12]
 *   npx tsx examples/metrics-feed.ts --sse 8080     # then: curl -N http://127.0.0.1:8080/events
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openSession } from '@modelmaker/local';
import {
  Estimator,
  type FeedCursor,
  type FitCreatedEvent,
  type Logger,
  listFrameworks,
  resumeCursor,
  SSE_CONTENT_TYPE,
  sourceFromSession,
  toAsyncIterable,
  toNdjson,
  toReadableStream,
  toServerSentEvents,
  trainingWatch,
  uploadData,
} from 'modelmaker';
import {
  catchError,
  concat,
  defer,
  filter,
  firstValueFrom,
  lastValueFrom,
  map,
  merge,
  type Observable,
  of,
  ReplaySubject,
  tap,
} from 'rxjs';

const { values: args } = parseArgs({
  options: { sse: { type: 'string' }, epochs: { type: 'string', default: '12' } },
});
const ssePort = args.sse === undefined ? undefined : Number(args.sse);
if (ssePort !== undefined && !(Number.isInteger(ssePort) && ssePort >= 0 && ssePort < 65536)) {
  throw new Error(`--sse expects a port number (0 for any free one), got ${JSON.stringify(args.sse)}`);
}
const epochs = Number(args.epochs);
if (!(Number.isInteger(epochs) && epochs > 0)) {
  throw new Error(`--epochs expects a positive whole number, got ${JSON.stringify(args.epochs)}`);
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const started = Date.now();
// Progress on stderr: stdout is the feed.
const say = (text: string) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
const logger: Logger = {
  debug: () => {},
  info: (message) => say(`sdk: ${message}`),
  warn: (message) => say(`sdk warning: ${message}`),
  error: (message) => say(`sdk error: ${message}`),
};

/** One record of the feed; `seq` is its position (0, 1, 2 …), which is also its SSE id. */
type FeedRecord = { readonly seq: number; readonly type: string; readonly time: string } & Record<
  string,
  unknown
>;

// The hub: every record once, replayed to whoever subscribes (stdout now, SSE clients whenever).
const feed = new ReplaySubject<FeedRecord>();
let seq = 0;
const record = (type: string, fields: Record<string, unknown>): FeedRecord => ({
  seq: seq++,
  type,
  time: new Date().toISOString(),
  ...fields,
});

// NDJSON on stdout, one write per record as it comes: `for await` over the feed's NDJSON lines.
const written = (async () => {
  for await (const line of toAsyncIterable(feed.pipe(toNdjson()))) process.stdout.write(line);
})();

/**
 * The feed from `cursor` on, as Server-Sent Events frames: event = record type, id = seq (the
 * replayed feed's sequence; `resume` leaves out what the client saw).
 */
const eventsFrom = (cursor: FeedCursor): Observable<string> =>
  feed.pipe(toServerSentEvents({ id: 'sequence', resume: cursor }));

/** How long `close` lets the open SSE responses finish sending the ended feed, in ms. */
const SSE_CLOSE_GRACE_MS = 2000;

/** Serves the feed as Server-Sent Events on 127.0.0.1 until `close` (after the feed has ended). */
async function serveEvents(port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const sending = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/events' && req.url !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('the feed is at GET /events\n');
      return;
    }
    let cursor: FeedCursor;
    try {
      cursor = resumeCursor(req.headers['last-event-id'] as string | undefined);
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': SSE_CONTENT_TYPE,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'access-control-allow-origin': '*',
    });
    res.write(': modelmaker metrics feed\n\n');
    // Pull-based: a slow client is sent what it can take; one that leaves cancels its stream.
    const body = Readable.fromWeb(
      toReadableStream(eventsFrom(cursor), (frame) => frame) as NodeReadableStream<Uint8Array>,
    );
    // a client that leaves early ends its pipeline with an error: nothing to report
    const sent = pipeline(body, res).catch(() => {});
    sending.add(sent);
    void sent.then(() => sending.delete(sent));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/events`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // the feed has ended: let each response send its last records, then cut whatever remains
      let grace: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(sending),
        new Promise((resolve) => {
          grace = setTimeout(resolve, SSE_CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(grace);
      server.closeAllConnections();
      await closed;
    },
  };
}

const { session, platform, close } = await openSession({ logger, level: 30 });
say(
  platform ? `started a local ModelMaker platform at ${platform.baseUrl}` : 'using the configured platform',
);

let sse: Awaited<ReturnType<typeof serveEvents>> | undefined;
let estimator: Estimator | undefined;
const stopOnInterrupt = () => {
  say('interrupted: stopping the job (the feed ends with its last status)');
  estimator?.stop().subscribe({ error: (error: unknown) => say(`could not stop the job: ${String(error)}`) });
};
process.once('SIGINT', stopOnInterrupt);
try {
  if (ssePort !== undefined) {
    sse = await serveEvents(ssePort);
    say(`serving the feed as Server-Sent Events at ${sse.url}`);
  }
  const bucket = await session.bucket();
  const stamp = Date.now();
  const [framework, trainMachine] = await Promise.all([
    firstValueFrom(
      listFrameworks(session, 'TRAIN').pipe(map((list) => list.frameWorks.find((f) => f.name === 'node'))),
    ),
    firstValueFrom(Estimator.trainMachine(session).pipe(map((list) => list.resources[0]!.id))),
  ]);
  if (!framework) throw new Error('no training framework named node on this platform');

  say('uploading the iris data set');
  const dataUri = `s3://${bucket}/metrics-feed-${stamp}/data/iris.csv`;
  await lastValueFrom(uploadData(session, here('./data/iris.csv'), dataUri));

  estimator = new Estimator(session, {
    frameworkType: 'BASIC_FRAMEWORK',
    framework: framework.id,
    codeDir: here('./custom'),
    bootFile: 'train.mjs',
    outputPath: `s3://${bucket}/metrics-feed-${stamp}/output/`,
    hyperparameters: [
      { name: 'EPOCHS', value: epochs },
      { name: 'DELAY_MS', value: 150 },
    ],
    monitors: [
      { name: 'accuracy', regular: 'accuracy=([0-9.]+)' },
      { name: 'loss', regular: 'loss=([0-9.]+)' },
    ],
    trainInstanceType: trainMachine,
    trainInstanceCount: 1,
    volumeSize: 1,
  });

  // `wait: false`: create the job and stop there; the watch below follows it.
  const created = await lastValueFrom(
    estimator
      .fit({ inputs: dataUri, jobName: `metrics-feed-${stamp}`, wait: false })
      .pipe(filter((event): event is FitCreatedEvent => event.type === 'created')),
  );
  say(`training job ${created.jobId}, version ${created.versionId} started`);

  // One poller per stream however many parts of the program watch this version. The polls back off
  // while nothing changes; a short ceiling suits a job of seconds.
  const watch = trainingWatch(sourceFromSession(session), created.versionId, { ceilingMs: 2000 });
  let last: { status: string; reason?: string | undefined } | undefined;
  const records$: Observable<FeedRecord> = concat(
    of(record('created', { jobId: created.jobId, versionId: created.versionId })),
    merge(
      watch.status$.pipe(
        tap((change) => {
          last = { status: change.status, reason: change.detail.reason };
          say(`status ${change.status}`);
        }),
        map((change) => record('status', { status: change.status, reason: change.detail.reason })),
      ),
      watch.metrics$.pipe(
        map((sample) =>
          record('metric', { name: sample.name, value: sample.value, at: sample.time, step: sample.step }),
        ),
      ),
    ),
    defer(() => of(record('end', { status: last?.status, reason: last?.reason }))),
  ).pipe(catchError((error: unknown) => of(record('error', { message: String(error) }))));

  await lastValueFrom(records$.pipe(tap((entry) => feed.next(entry))));
  if (last?.status !== 'FINISH') process.exitCode = 1;
  say(`the job ended: ${last?.status ?? 'unknown'}${last?.reason ? ` (${last.reason})` : ''}`);
} catch (error) {
  feed.next(record('error', { message: String(error) }));
  throw error;
} finally {
  process.off('SIGINT', stopOnInterrupt);
  feed.complete();
  await written;
  await sse?.close();
  const jobId = estimator?.jobId;
  if (jobId !== undefined) {
    await lastValueFrom(Estimator.destroyJob(session, jobId)).then(
      () => say(`deleted training job ${jobId}`),
      (error: unknown) => say(`could not delete training job ${jobId}: ${String(error)}`),
    );
  }
  await close();
  say('done');
}
