/**
 * The SDK's HTTP client against faulty and hostile platform servers (real `node:http`
 * servers on loopback): redirects to other origins, decompression bombs, secrets in
 * decode errors and error bodies, a stalled or refusing login, out-of-order and stuck
 * log pages. The last test scans everything the SDK logged (level 10) or threw for the
 * secrets, in plain, JSON-escaped and URL-encoded form.
 */
import { gzipSync } from 'node:zlib';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { authAccess } from '../../../src/client/auth.js';
import { createTrain, getTrainLog, listTrain } from '../../../src/client/training.js';
import type { TrainCreate } from '../../../src/codecs/training.js';
import { hasTag } from '../../../src/errors.js';
import { lines } from '../../../src/streams/lines.js';
import { logs$ } from '../../../src/streams/logs.js';
import { sourceFromSession } from '../../../src/streams/sessionSource.js';
import { sampleRss } from '../../support/rssSampler.js';
import {
  failure,
  type Hostile,
  hostileServer,
  hostileSession,
  json,
  LeakScan,
  PASSWORD,
  S3_SECRET,
  TOKEN,
  until,
} from './support.js';

const scan = new LeakScan();
const MIB = 1024 * 1024;
const jobList = { trainTasks: [{ id: 1, name: 'job-a' }] };
const createBody: TrainCreate = {
  name: 'job-a',
  type: 'CUSTOM',
  output: 's3://bucket/out/',
  mirrorUrl: 'img:1',
};

/** A platform whose login works (with the hostile token) and whose other routes `route` answers. */
async function platform(route: Parameters<typeof hostileServer>[0]): Promise<Hostile> {
  return hostileServer((hit, res, req) => {
    if (hit.url === '/mmr/v1/auth-token') return json(res, { token: TOKEN });
    return route(hit, res, req);
  });
}

/** A second origin that records what reaches it and answers as a platform would. */
function elsewhere(): Promise<Hostile> {
  return hostileServer((hit, res) =>
    hit.url.endsWith('/auth-token') ? json(res, { token: 'token-of-elsewhere' }) : json(res, jobList),
  );
}

describe('1. redirects never carry credentials elsewhere', () => {
  it('refuses a GET redirected to another origin: no request reaches it, the error names both addresses', async () => {
    const other = await elsewhere();
    const api = await platform((_hit, res) => {
      res.writeHead(302, { location: `${other.origin}/steal?token=abc&sig=xyz` });
      res.end();
    });
    const error = await failure(scan, lastValueFrom(listTrain(hostileSession(scan, api.base))));
    expect(error).toMatchObject({
      _tag: 'RedirectRefused',
      status: 302,
      from: `${api.base}/v1/train`,
      location: `${other.origin}/steal?…`,
    });
    expect((error as Error).message).toContain('another origin');
    expect((error as Error).message).not.toContain('abc');
    expect(other.hits).toEqual([]);
    // Not transient: asked once.
    expect(api.count('/v1/train')).toBe(1);
  });

  it('never follows a redirect of the login: the password stays home (307 and 308)', async () => {
    for (const status of [307, 308]) {
      const other = await elsewhere();
      const api = await hostileServer((_hit, res) => {
        res.writeHead(status, { location: `${other.origin}/mmr/v1/auth-token` });
        res.end();
      });
      const error = await failure(scan, lastValueFrom(listTrain(hostileSession(scan, api.base))));
      expect(error).toMatchObject({ _tag: 'RedirectRefused', status });
      expect(other.hits).toEqual([]);
      expect(api.count('/v1/auth-token')).toBe(1);
    }
  });

  it('never follows a same-origin redirect of the login either (the token would come from elsewhere)', async () => {
    const api = await hostileServer((hit, res) => {
      if (hit.url === '/mmr/v1/auth-token') {
        res.writeHead(307, { location: '/mmr/v1/other-auth' });
        return res.end();
      }
      return json(res, { token: 'token-of-elsewhere' });
    });
    const error = await failure(scan, lastValueFrom(listTrain(hostileSession(scan, api.base))));
    expect(error).toMatchObject({ _tag: 'RedirectRefused' });
    expect((error as Error).message).toContain('never follows');
    expect(api.count('/v1/other-auth')).toBe(0);
  });

  it('refuses https → http: neither the token nor the password goes out in clear', async () => {
    const plain = await elsewhere();
    // The https side: a fetch that carries https://secure.test to a loopback server (TLS terminated in-process).
    const secure = await hostileServer((hit, res) => {
      const to = hit.url.endsWith('/auth-token') ? '/mmr/v1/auth-token' : '/mmr/v1/train';
      res.writeHead(hit.url.endsWith('/auth-token') ? 307 : 301, { location: `${plain.origin}${to}` });
      res.end();
    });
    const tunnel: typeof fetch = (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      return fetch(new Request(request.url.replace('https://secure.test', secure.origin), request));
    };
    const error = await failure(
      scan,
      lastValueFrom(listTrain(hostileSession(scan, 'https://secure.test/mmr', { fetch: tunnel }))),
    );
    expect(error).toMatchObject({ _tag: 'RedirectRefused', from: 'https://secure.test/mmr/v1/auth-token' });
    expect(plain.hits).toEqual([]);

    // A GET with a token: same refusal, reason named.
    const sessionWithToken = hostileSession(scan, 'https://secure.test/mmr', {
      fetch: (input, init) => {
        const request = input instanceof Request ? input : new Request(input, init);
        if (request.url.endsWith('/auth-token')) return Promise.resolve(Response.json({ token: TOKEN }));
        return tunnel(request);
      },
    });
    const refused = await failure(scan, lastValueFrom(listTrain(sessionWithToken)));
    expect((refused as Error).message).toContain('from https to http');
    expect(plain.hits).toEqual([]);
  });

  it('follows a same-origin redirect of a GET, token included, but never re-sends a POST body', async () => {
    const api = await platform((hit, res) => {
      if (hit.url === '/mmr/v1/train' && hit.method === 'GET') {
        res.writeHead(302, { location: '/mmr/v1/train-moved' });
        return res.end();
      }
      if (hit.url === '/mmr/v1/train' && hit.method === 'POST') {
        res.writeHead(307, { location: '/mmr/v1/train-moved' });
        return res.end();
      }
      return json(res, jobList);
    });
    const session = hostileSession(scan, api.base);
    await expect(lastValueFrom(listTrain(session))).resolves.toEqual(jobList);
    const moved = api.hits.filter((hit) => hit.url === '/mmr/v1/train-moved');
    expect(moved).toHaveLength(1);
    expect(moved[0]!.headers['auth-token']).toBe(TOKEN);

    const error = await failure(scan, lastValueFrom(createTrain(session, createBody)));
    expect(error).toMatchObject({ _tag: 'RedirectRefused', status: 307 });
    expect((error as Error).message).toContain('a POST is never redirected');
    expect(api.hits.filter((hit) => hit.url === '/mmr/v1/train-moved')).toHaveLength(1);
  });

  it('ends a same-origin redirect loop after the hop limit', async () => {
    const api = await platform((_hit, res) => {
      res.writeHead(302, { location: '/mmr/v1/train' });
      res.end();
    });
    const error = await failure(
      scan,
      lastValueFrom(listTrain(hostileSession(scan, api.base, { maxRedirects: 3 }))),
    );
    expect(error).toMatchObject({ _tag: 'RedirectRefused' });
    expect((error as Error).message).toContain('more than 3 redirects');
    expect(api.count('/v1/train')).toBe(4);
  });
});

describe('2. response bodies are limited while they stream', () => {
  /** A gzip body inflating to `mib` MiB of zeros: one 1 MiB member repeated (about 1 KiB each). */
  function gzipBomb(mib: number): { member: Buffer; members: number } {
    return { member: gzipSync(Buffer.alloc(MIB)), members: mib };
  }

  it('fails a gzip bomb fast with ResponseTooLarge, asked once, with bounded memory', async () => {
    const bomb = gzipBomb(2048); // ~2 MB on the wire, 2 GiB inflated
    let written = 0;
    const api = await platform(async (_hit, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      for (let i = 0; i < bomb.members && !res.destroyed; i++) {
        written += bomb.member.length;
        if (!res.write(bomb.member))
          await new Promise<void>((resolve) => {
            const done = () => {
              res.off('drain', done).off('close', done);
              resolve();
            };
            res.on('drain', done).on('close', done);
          });
      }
      res.end();
    });
    const session = hostileSession(scan, api.base, { maxResponseBytes: MIB });
    const rss = sampleRss();
    const error = await failure(scan, lastValueFrom(listTrain(session)));
    const peak = Math.max(rss.stop(), process.memoryUsage().rss);
    expect(error).toMatchObject({ _tag: 'ResponseTooLarge', limitBytes: MIB, kind: 'json' });
    expect(api.count('/v1/train')).toBe(1);
    const growthMib = (peak - rss.before) / MIB;
    console.info(
      `gzip bomb: ${(written / MIB).toFixed(1)} MiB compressed written of ${((bomb.member.length * bomb.members) / MIB).toFixed(1)} MiB (2048 MiB inflated); RSS growth ${growthMib.toFixed(1)} MiB`,
    );
    // Without the limit, fetch would inflate 2 GiB (and the process die); with it, a few MiB.
    expect(growthMib).toBeLessThan(64);
  });

  it('refuses a log page larger than maxLogPageBytes (never buffered), while JSON calls keep their own limit', async () => {
    const line = { id: 0, content: 'x'.repeat(1000) };
    const logs = Array.from({ length: 600 }, (_, id) => ({ ...line, id }));
    const api = await platform((hit, res) => {
      if (hit.url.startsWith('/mmr/v1/train/version/3/log')) return json(res, { logs });
      return json(res, jobList);
    });
    const session = hostileSession(scan, api.base, { maxLogPageBytes: 256 * 1024 });
    const error = await failure(scan, lastValueFrom(getTrainLog(session, 3, { lastId: 0 })));
    expect(error).toMatchObject({ _tag: 'ResponseTooLarge', limitBytes: 256 * 1024, kind: 'logPage' });
    expect(api.count('/v1/train/version/3/log')).toBe(1);
    await expect(lastValueFrom(listTrain(session))).resolves.toEqual(jobList);
  });

  it('refuses a declared Content-Length above the limit before reading the body', async () => {
    const api = await platform((_hit, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(512 * MIB) });
      res.write('{"trainTasks":[');
      // ...and then nothing more: the SDK must not wait for it.
    });
    const error = await failure(
      scan,
      lastValueFrom(listTrain(hostileSession(scan, api.base, { maxResponseBytes: MIB }))),
    );
    expect(error).toMatchObject({ _tag: 'ResponseTooLarge' });
    await until(() => api.aborted >= 1);
  });
});

describe('4. decode errors describe shapes, never secret values', () => {
  it('a token field holding the credentials: the message says "an object", the log line too', async () => {
    const api = await hostileServer((hit, res) => {
      const sent = JSON.parse(hit.body || '{}') as object;
      return json(res, { token: sent });
    });
    const error = await failure(scan, lastValueFrom(listTrain(hostileSession(scan, api.base))));
    expect(error).toMatchObject({ _tag: 'DecodeError' });
    expect((error as { problems: string[] }).problems).toEqual(['token: expected string, got an object']);
  });

  it('an s3 field that is an array holding the secret key: registered before decoding, shown as a shape', async () => {
    const api = await platform((_hit, res) => json(res, { s3: [S3_SECRET] }));
    const session = hostileSession(scan, api.base);
    const error = await failure(scan, lastValueFrom(authAccess(session)));
    expect(error).toMatchObject({ _tag: 'DecodeError' });
    expect((error as Error).message).toContain('got an array of 1');
  });

  it('a value equal to the password in an ordinary field is scrubbed from the message', async () => {
    const api = await platform((_hit, res) => json(res, { trainTasks: [{ id: PASSWORD, name: 'x' }] }));
    const error = await failure(scan, lastValueFrom(listTrain(hostileSession(scan, api.base))));
    expect((error as { problems: string[] }).problems).toEqual([
      'trainTasks[0].id: expected number, got "***"',
    ]);
  });
});

describe('5. redaction comes last, over escaped and encoded forms', () => {
  it('an error body cut at 300 characters never shows the first part of a secret', async () => {
    // The password starts at character 290: cutting first would show its first 10 characters.
    const body = `${'x'.repeat(290)}${PASSWORD}${'y'.repeat(100)}`;
    const api = await platform((_hit, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(body);
    });
    const error = await failure(scan, lastValueFrom(listTrain(hostileSession(scan, api.base))));
    expect(error).toMatchObject({ _tag: 'HttpError', status: 400 });
    expect((error as Error).message).toContain('x***y');
    expect((error as Error).message).not.toContain(PASSWORD.slice(0, 6));
  });

  it('JSON-escaped and URL-encoded copies of the password and token are scrubbed', async () => {
    const api = await platform((_hit, res) =>
      json(res, {
        errorCode: 4001,
        message: `bad ${JSON.stringify({ password: PASSWORD })} from ?p=${encodeURIComponent(PASSWORD)}&t=${encodeURIComponent(TOKEN)} or ${JSON.stringify(JSON.stringify(TOKEN))}`,
      }),
    );
    const error = await failure(scan, lastValueFrom(listTrain(hostileSession(scan, api.base))));
    expect(error).toMatchObject({ _tag: 'ApiError', errorCode: 4001 });
    expect(scan.leaksOf(PASSWORD)).toEqual([]);
    expect(scan.leaksOf(TOKEN)).toEqual([]);
  });

  it('a password shorter than 4 characters is scrubbed where it stands alone', async () => {
    const short = 'Zq7';
    const api = await hostileServer((_hit, res) =>
      json(res, { errorCode: 1001, message: `wrong password ${short} for alice` }, 401),
    );
    const error = await failure(
      scan,
      lastValueFrom(listTrain(hostileSession(scan, api.base, { password: short }))),
    );
    expect(error).toMatchObject({ _tag: 'AuthError' });
    expect((error as Error).message).toContain('wrong password *** for alice');
  });
});

describe('8–9. the login is cancellable, shared, and backs off', () => {
  it('unsubscribing while the login is stalled aborts it; the password is not sent again', async () => {
    const api = await hostileServer(() => {
      // never answers
    });
    const session = hostileSession(scan, api.base, { attemptTimeoutMs: 150 });
    const subscription = listTrain(session).subscribe({ error: () => undefined });
    await until(() => api.count('/v1/auth-token') === 1);
    subscription.unsubscribe();
    await until(() => api.aborted === 1);
    // Three attempt timeouts later, still one login: nothing retried it after the caller left.
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(api.count('/v1/auth-token')).toBe(1);
  });

  it('a login shared by two calls survives one of them leaving (cancelling is per waiter)', async () => {
    let answer: (() => void) | undefined;
    const api = await hostileServer((hit, res) => {
      if (hit.url.endsWith('/auth-token')) answer = () => json(res, { token: TOKEN });
      else json(res, jobList);
    });
    const session = hostileSession(scan, api.base);
    const first = listTrain(session).subscribe({ error: () => undefined });
    const second = lastValueFrom(listTrain(session));
    await until(() => answer !== undefined);
    first.unsubscribe();
    answer!();
    await expect(second).resolves.toEqual(jobList);
    expect(api.count('/v1/auth-token')).toBe(1);
  });

  it('a server refusing every token: 50 calls cost 2 logins, not 51, each failing with AuthError', async () => {
    let clock = 1_000_000;
    const api = await platform((_hit, res) => json(res, { errorCode: 1003, message: 'token expired' }));
    const session = hostileSession(scan, api.base, { now: () => clock });
    const errors: unknown[] = [];
    for (let call = 0; call < 50; call++) {
      errors.push(await failure(scan, lastValueFrom(listTrain(session))));
      clock += 20;
    }
    expect(errors.every((error) => hasTag(error, 'AuthError'))).toBe(true);
    expect(api.count('/v1/auth-token')).toBe(2);
    expect((errors[1] as Error).message).toContain('not logging in again');
    // After the backoff, one more login is tried (and refused: the wait doubles).
    clock += 1_000;
    await failure(scan, lastValueFrom(listTrain(session)));
    expect(api.count('/v1/auth-token')).toBe(3);
  });

  it('bad credentials: later calls fail at once without sending the password again', async () => {
    let clock = 0;
    const api = await hostileServer((_hit, res) =>
      json(res, { errorCode: 1001, message: 'bad password' }, 401),
    );
    const session = hostileSession(scan, api.base, { now: () => clock });
    for (let call = 0; call < 10; call++) {
      const error = await failure(scan, lastValueFrom(listTrain(session)));
      expect(error).toMatchObject({ _tag: 'AuthError' });
      clock += 50;
    }
    expect(api.count('/v1/auth-token')).toBe(1);
  });

  it('expiresIn: 1e-9 is clamped: 20 calls, one login', async () => {
    let clock = 0;
    const api = await hostileServer((hit, res) =>
      hit.url.endsWith('/auth-token') ? json(res, { token: TOKEN, expiresIn: 1e-9 }) : json(res, jobList),
    );
    const session = hostileSession(scan, api.base, { now: () => clock });
    for (let call = 0; call < 20; call++) {
      await lastValueFrom(listTrain(session));
      clock += 100;
    }
    expect(api.count('/v1/auth-token')).toBe(1);
    expect(scan.lines.some((line) => line.includes('expiresIn of 1e-9'))).toBe(true);
  });
});

describe('10 and 3. log pages: out of order sorted, a stuck cursor ends', () => {
  it('a page in descending order is delivered whole, in order, without a false gap', async () => {
    const api = await platform((hit, res) => {
      if (hit.url.startsWith('/mmr/v1/train/version/5/log?lastId=0')) {
        return json(res, { logs: [2, 1, 0].map((id) => ({ id, content: `line ${id}` })) });
      }
      if (hit.url.startsWith('/mmr/v1/train/version/5/log')) return json(res, { logs: [] });
      return json(res, { status: 'FINISH' });
    });
    const session = hostileSession(scan, api.base);
    const events = await lastValueFrom(
      logs$(sourceFromSession(session), 5, { waitSeconds: 0, floorMs: 1, ceilingMs: 1 }).pipe(toArray()),
    );
    expect(events).toEqual([0, 1, 2].map((id) => ({ type: 'line', line: { id, content: `line ${id}` } })));
  });

  it('a page that says hasMore but never moves past the cursor ends with PagingError at once', async () => {
    const api = await platform((_hit, res) => json(res, { logs: [{ id: 0, content: 'again' }], hasMore: 1 }));
    const session = hostileSession(scan, api.base);
    const error = await failure(
      scan,
      lastValueFrom(
        logs$(sourceFromSession(session), 5, { from: 1, waitSeconds: 0 }).pipe(lines(), toArray()),
      ),
    );
    expect(error).toMatchObject({ _tag: 'PagingError' });
    expect((error as Error).message).toContain('lastId 1');
    expect(api.count('/v1/train/version/5/log')).toBe(1);
  });

  it('getTrainLog sorts a shuffled page for any reader', async () => {
    const api = await platform((_hit, res) =>
      json(res, { logs: [3, 1, 2].map((id) => ({ id, content: String(id) })), hasMore: 1 }),
    );
    const page = await firstValueFrom(getTrainLog(hostileSession(scan, api.base), 5, { lastId: 1 }));
    expect(page.logs.map((line) => line.id)).toEqual([1, 2, 3]);
  });
});

describe('every error message and log line of the cases above (level 10)', () => {
  it('holds no password, token or S3 secret, in plain, JSON-escaped or URL-encoded form', () => {
    expect(scan.lines.length).toBeGreaterThan(100);
    expect(scan.errors.length).toBeGreaterThan(20);
    for (const secret of [PASSWORD, TOKEN, S3_SECRET]) expect(scan.leaksOf(secret)).toEqual([]);
  });
});
