/**
 * A metrics feed for another system: starts a training job and writes its status and
 * metrics as they happen, one JSON object per line (NDJSON) on stdout — and, with
 * `--sse <port>`, serves the same records as Server-Sent Events on
 * `http://127.0.0.1:<port>/events` (port 0 picks a free one; the address is printed).
 * It ends when the job ends, after cleaning up (the job deleted, the platform closed).
 *
 * stdout carries only the feed; progress goes to stderr. The records:
 *
 *   {"seq":1,"type":"created","time":"…","jobId":1,"versionId":1}
 *   {"seq":2,"type":"status","time":"…","status":"DOWNLOAD_DATA"}
 *   {"seq":5,"type":"metric","time":"…","name":"accuracy","value":0.8,"at":"…"}
 *   {"seq":30,"type":"end","time":"…","status":"FINISH"}
 *
 * The SSE stream sends each record as an event named by its `type`, with `id` its `seq`:
 * a client that connects late gets every record from the start, and one that reconnects
 * with `Last-Event-ID` gets what came after it. The job (`examples/custom/train.mjs`, run
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
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openSession } from '@modelmaker/local';
import {
  Estimator,
  type FitCreatedEvent,
  type Logger,
  listFrameworks,
  sourceFromSession,
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

/** One line of the feed. */
type FeedRecord = { readonly seq: number; readonly type: string; readonly time: string } & Record<
  string,
  unknown
>;

// The hub: every record once, replayed to whoever subscribes (stdout now, SSE clients whenever).
const feed = new ReplaySubject<FeedRecord>();
let seq = 0;
const record = (type: string, fields: Record<string, unknown>): FeedRecord => ({
  seq: ++seq,
  type,
  time: new Date().toISOString(),
  ...fields,
});

// NDJSON: one write per record, as it comes (stdout is synchronous for files, and pipes on Linux).
const written = lastValueFrom(feed.pipe(tap((entry) => process.stdout.write(`${JSON.stringify(entry)}\n`))), {
  defaultValue: undefined,
});

/** Serves the feed as Server-Sent Events on 127.0.0.1 until `close`. */
async function serveEvents(port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const send = (res: ServerResponse, entry: FeedRecord) =>
    res.write(`id: ${entry.seq}\nevent: ${entry.type}\ndata: ${JSON.stringify(entry)}\n\n`);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/events' && req.url !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('the feed is at GET /events\n');
      return;
    }
    const after = Number(req.headers['last-event-id'] ?? 0) || 0;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'access-control-allow-origin': '*',
    });
    res.write(': modelmaker metrics feed\n\n');
    const subscription = feed.pipe(filter((entry) => entry.seq > after)).subscribe({
      next: (entry) => send(res, entry),
      complete: () => res.end(),
    });
    res.on('close', () => subscription.unsubscribe()); // the client left, or the feed ended
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/events`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
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
