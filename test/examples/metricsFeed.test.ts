/**
 * examples/metrics-feed.ts, run as a user would (see `support.ts`): the status and
 * metrics of its training job as NDJSON on stdout, written as they happen, and with
 * `--sse` the same records as Server-Sent Events that a client reads over HTTP —
 * from the start, or after `Last-Event-ID` (400 for an id the feed never sent). The
 * feed ends with the job.
 */
import { describe, expect, it } from 'vitest';
import { type RunResult, startExample } from './support.js';

interface FeedRecord {
  readonly seq: number;
  readonly type: string;
  readonly time: string;
  readonly [field: string]: unknown;
}

interface ServerSentEvent {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

/** Every stdout line as a record (a line that is not JSON fails the test). */
function ndjson(result: RunResult): FeedRecord[] {
  return result.stdout.map((line) => JSON.parse(line.text) as FeedRecord);
}

/** Reads a text/event-stream response to its end (the feed closes it when the job ends). */
async function readEvents(response: Response): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const flush = (block: string) => {
    const fields: Record<string, string> = {};
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'data') data.push(value);
      else fields[name] = value;
    }
    if (data.length > 0) events.push({ ...fields, data: data.join('\n') });
  };
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      flush(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  }
  return events;
}

/** The checks every complete feed passes: created first, end last with FINISH, 12 epochs of both metrics. */
function expectCompleteFeed(records: readonly FeedRecord[]): void {
  expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
  expect(records[0]).toMatchObject({
    type: 'created',
    jobId: expect.any(Number),
    versionId: expect.any(Number),
  });
  expect(records.at(-1)).toMatchObject({ type: 'end', status: 'FINISH' });
  const statuses = records.filter((r) => r.type === 'status').map((r) => r.status);
  expect(statuses.at(-1)).toBe('FINISH');
  expect(statuses).toContain('TRAINING');
  const values = (name: string) =>
    records.filter((r) => r.type === 'metric' && r.name === name).map((r) => r.value as number);
  expect(values('accuracy')).toHaveLength(12);
  expect(values('loss')).toHaveLength(12);
  for (const value of values('accuracy')) expect(value).toBeGreaterThanOrEqual(0);
  expect(Math.max(...values('accuracy'))).toBeGreaterThan(0.85);
  expect(values('loss').at(-1)).toBeLessThan(values('loss')[0]!);
  for (const record of records) expect(Number.isNaN(Date.parse(record.time))).toBe(false);
}

describe('examples/metrics-feed.ts', () => {
  it('writes the job status and metrics as NDJSON lines on stdout, as they happen, and ends with the job', async () => {
    const result = await (await startExample('metrics-feed.ts')).done;

    expect(result.code, result.transcript).toBe(0);
    const records = ndjson(result);
    expectCompleteFeed(records);
    // Flushed as it happens: the first metric line arrived well before the last line.
    const firstMetric = result.stdout[records.findIndex((r) => r.type === 'metric')]!;
    expect(result.stdout.at(-1)!.at - firstMetric.at).toBeGreaterThan(300);
    // Progress goes to stderr, leaving stdout to the feed.
    const progress = result.stderr.map((line) => line.text);
    expect(progress.some((line) => / status FINISH$/.test(line))).toBe(true);
    expect(progress.some((line) => / deleted training job \d+$/.test(line))).toBe(true);
    expect(progress.at(-1)).toMatch(/ done$/);
    expect(result.leftovers).toEqual([]);
  }, 60_000);

  it('serves the same records as Server-Sent Events on 127.0.0.1, from the start or after Last-Event-ID', async () => {
    const run = await startExample('metrics-feed.ts', ['--sse', '0']);
    const announced = await run.waitForLine(/Server-Sent Events at http:\/\/127\.0\.0\.1:\d+\/events$/);
    const url = announced.slice(announced.lastIndexOf(' ') + 1);

    const [all, resumed, refused] = await Promise.all([
      fetch(url).then(async (response) => {
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/event-stream');
        return readEvents(response);
      }),
      fetch(url, { headers: { 'last-event-id': '3' } }).then(readEvents),
      fetch(url, { headers: { 'last-event-id': 'three' } }),
    ]);
    const result = await run.done;

    expect(result.code, result.transcript).toBe(0);
    const records = all.map((event) => JSON.parse(event.data) as FeedRecord);
    expectCompleteFeed(records);
    expect(all.map((event) => [event.id, event.event])).toEqual(records.map((r) => [String(r.seq), r.type]));
    // after id 3 (the fourth record): from the fifth on, nothing twice
    expect(resumed.map((event) => event.data)).toEqual(all.slice(4).map((event) => event.data));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Last-Event-ID');
    // The events carry exactly what stdout carried.
    expect(records).toEqual(ndjson(result));
    expect(result.leftovers).toEqual([]);
  }, 60_000);
});
