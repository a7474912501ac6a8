/**
 * `cloneRepository` (the runner's `gitInfo` clone) against a real git server on
 * loopback (`git http-backend` behind basic auth): what lands, what git is given, what
 * a failure says — and that no password reaches argv, a message, or a credential store.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloneRepository,
  type GitSource,
  publicGitInfo,
  publicGitUrl,
  redactGitSecrets,
} from '../../src/runner/gitClone.js';
import { eventually, processGone } from '../runner/harness.js';
import {
  closedPort,
  type GitServer,
  type RecordingGit,
  recordingGit,
  startBlackHole,
  startGitServer,
} from './gitServer.js';

let server: GitServer;
let root: string;
let recorder: RecordingGit;

beforeAll(async () => {
  server = await startGitServer({
    code: { branch: 'main', files: { 'train.py': 'print("from git")\n', 'lib/util.py': 'X = 1\n' } },
    open: { branch: 'release', files: { 'README.md': 'public\n' }, auth: false },
  });
  root = await mkdtemp(join(tmpdir(), 'mm-clone-'));
  recorder = await recordingGit(root);
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

let count = 0;
async function target(): Promise<string> {
  const dir = join(root, `clone-${++count}`);
  await mkdir(dir);
  return dir;
}

function source(overrides: Partial<GitSource> = {}): GitSource {
  return {
    username: server.username,
    password: server.password,
    branch: 'main',
    url: server.url('code'),
    ...overrides,
  };
}

async function failure(src: GitSource, options = {}): Promise<Error> {
  const dir = await target();
  const error = await lastValueFrom(cloneRepository(src, dir, 'gitInfo', options)).then(
    () => undefined,
    (e: Error) => e,
  );
  if (!error) throw new Error('the clone succeeded');
  return error;
}

describe('cloneRepository', () => {
  it('clones the branch shallowly, sends the credentials only through the helper, never in argv', async () => {
    const dir = await target();
    const before = server.requests.length;
    const cloned = await lastValueFrom(
      cloneRepository(source(), dir, 'gitInfo', { program: recorder.program }),
    );

    expect(await readFile(join(dir, 'train.py'), 'utf8')).toBe('print("from git")\n');
    expect(await readFile(join(dir, 'lib/util.py'), 'utf8')).toBe('X = 1\n');
    expect(cloned).toMatchObject({ url: server.url('code'), branch: 'main' });
    expect(cloned.commit).toMatch(/^[0-9a-f]{40}$/);
    // Shallow: one commit, a shallow file.
    expect((await readdir(join(dir, '.git'))).includes('shallow')).toBe(true);
    // The server saw the right basic-auth credentials: the helper delivered them.
    const seen = server.requests.slice(before);
    expect(seen.some((r) => r.user === server.username && r.password === server.password)).toBe(true);
    // …and no git process was given the password (or any part of it) on its command line.
    const argv = await recorder.argv();
    expect(argv).toContain('clone');
    expect(argv).toContain('--depth=1');
    expect(argv).not.toContain(server.password);
    expect(argv).not.toContain(encodeURIComponent(server.password));
  });

  it('clones a public repository without asking for credentials', async () => {
    const dir = await target();
    const cloned = await lastValueFrom(
      cloneRepository(
        source({ url: server.url('open'), branch: 'release', username: '', password: '' }),
        dir,
      ),
    );
    expect(cloned.branch).toBe('release');
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('public\n');
  });

  it('neither uses nor feeds the credential helpers of the user running the platform', async () => {
    const home = join(root, 'home');
    await mkdir(home);
    const store = join(home, '.git-credentials');
    await writeFile(join(home, '.gitconfig'), `[credential]\n\thelper = store --file=${store}\n`);
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      await lastValueFrom(cloneRepository(source(), await target()));
    } finally {
      process.env.HOME = saved;
    }
    await expect(readFile(store, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a wrong password: says the credentials were refused, without the password', async () => {
    const wrong = 'wrong-secret-Xy9';
    const error = await failure(source({ password: wrong }));
    expect(error.message).toMatch(
      /^gitInfo: cannot clone http:\/\/127\.0\.0\.1:\d+\/code\.git \(branch "main"\): the repository refused the credentials \(gitInfo\.username \/ gitInfo\.password\)/,
    );
    expect(error.message).toContain('Authentication failed');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(server.password);
  });

  it('no credentials for a repository that needs them: says to give them', async () => {
    const error = await failure(source({ username: '', password: '' }));
    expect(error.message).toContain(
      'the repository needs credentials: give gitInfo.username and gitInfo.password',
    );
  });

  it('an unknown branch: names it', async () => {
    const error = await failure(source({ branch: 'no-such-branch' }));
    expect(error.message).toContain('there is no branch "no-such-branch" in the repository (gitInfo.branch)');
    expect(error.message).not.toContain(server.password);
  });

  it('no repository at the address: says so', async () => {
    const error = await failure(source({ url: server.url('missing') }));
    expect(error.message).toContain('there is no repository at that address (gitInfo.url)');
  });

  it('a closed port: unreachable, at once', async () => {
    const error = await failure(source({ url: `http://127.0.0.1:${await closedPort()}/code.git` }));
    expect(error.message).toContain('the repository cannot be reached (gitInfo.url)');
    expect(error.message).not.toContain(server.password);
  });

  it('a server that never answers: ended after the clone timeout, its processes gone', async () => {
    const hole = await startBlackHole();
    try {
      await recorder.reset();
      const error = await failure(source({ url: hole.url }), { timeoutMs: 500, program: recorder.program });
      expect(error.message).toContain('the clone did not finish within 0.5 s');
      const pids = await recorder.pids();
      expect(await eventually(() => pids.every(processGone))).toBe(true);
    } finally {
      await hole.close();
    }
  });

  it('unsubscribing kills the clone', async () => {
    const hole = await startBlackHole();
    try {
      await recorder.reset();
      let subscription: Subscription | undefined;
      subscription = cloneRepository(source({ url: hole.url }), await target(), 'gitInfo', {
        program: recorder.program,
      }).subscribe({ error: () => {} });
      const pid = await (async () => {
        for (;;) {
          const [first] = await recorder.pids();
          if (first !== undefined) return first;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      expect(processGone(pid)).toBe(false);
      subscription.unsubscribe();
      subscription = undefined;
      expect(await eventually(() => processGone(pid))).toBe(true);
    } finally {
      await hole.close();
    }
  });

  it('without url, or without git: says what is needed', async () => {
    expect((await failure(source({ url: undefined }))).message).toMatch(
      /^gitInfo\.url is required on the local platform: the address of the repository to clone/,
    );
    expect((await failure(source(), { program: join(root, 'no-git-here') })).message).toContain(
      'is not installed on the platform',
    );
  });

  it('a password written in the url is never shown', async () => {
    const url = server.url('code').replace('http://', 'http://seed-user:in-url-secret%2F1@');
    const error = await failure(source({ url, password: 'other-wrong-pw' }));
    expect(error.message).toContain('http://seed-user:***@127.0.0.1');
    expect(error.message).not.toContain('in-url-secret');
    expect(publicGitUrl(url)).toBe(url.replace('in-url-secret%2F1', '***'));
    expect(publicGitInfo({ ...source(), url })).toEqual({
      username: server.username,
      branch: 'main',
      url: url.replace('in-url-secret%2F1', '***'),
    });
    expect(redactGitSecrets(`fatal: 'https://u:p@h/r' and ${server.password}`, source())).toBe(
      "fatal: 'https://u:***@h/r' and ***",
    );
  });
});
