/**
 * A real git server on loopback for the tests: bare repositories made from given files,
 * served by `git http-backend` (git's own smart-HTTP CGI program) behind a small
 * `node:http` server that asks for HTTP basic auth on the repositories that want it.
 * Also a "black hole" (accepts connections, never answers) and a closed port.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One repository: its branch and files (path → content). */
export interface RepoSpec {
  readonly branch: string;
  readonly files: Readonly<Record<string, string>>;
  /** Whether cloning needs the server's username and password (default true). */
  readonly auth?: boolean;
}

/** One request the server saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The basic-auth user and password sent, when any. */
  readonly user?: string;
  readonly password?: string;
}

/** A running git server. */
export interface GitServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly username: string;
  readonly password: string;
  /** The clone address of repository `name`. */
  url(name: string): string;
  /** Every request, in order. */
  readonly requests: readonly SeenRequest[];
  close(): Promise<void>;
}

const COMMITTER = ['-c', 'user.name=modelmaker tests', '-c', 'user.email=tests@modelmaker.invalid'];

async function makeRepository(root: string, name: string, spec: RepoSpec): Promise<void> {
  const work = join(root, 'work', name);
  await mkdir(work, { recursive: true });
  await run('git', ['init', '--quiet', `--initial-branch=${spec.branch}`, work]);
  for (const [path, content] of Object.entries(spec.files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await run('git', ['-C', work, 'add', '--all']);
  await run('git', ['-C', work, ...COMMITTER, 'commit', '--quiet', '--message', 'code']);
  await run('git', ['clone', '--quiet', '--bare', work, join(root, 'repos', `${name}.git`)]);
}

function credentialsOf(request: IncomingMessage): { user?: string; password?: string } {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return {};
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Runs `git http-backend` for one request and relays its CGI answer. */
function serveCgi(
  projectRoot: string,
  request: IncomingMessage,
  response: ServerResponse,
  user: string | undefined,
  children: Set<ChildProcess>,
): void {
  const url = new URL(request.url ?? '/', 'http://git.invalid');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: request.method ?? 'GET',
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
  };
  if (user !== undefined) env.REMOTE_USER = user;
  const protocol = request.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
  const encoding = request.headers['content-encoding'];
  if (typeof encoding === 'string') env.HTTP_CONTENT_ENCODING = encoding;
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  children.add(child);
  child.once('close', () => children.delete(child));
  request.pipe(child.stdin!);
  child.stdin!.on('error', () => {});
  let head = Buffer.alloc(0);
  let headerDone = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (headerDone) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headerDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    response.write(head.subarray(end + 4));
  });
  child.stdout!.on('end', () => {
    if (!headerDone) response.writeHead(502);
    response.end();
  });
}

/**
 * Starts a git server with `repos` (name → spec) on a free loopback port. Repositories
 * that want auth answer 401 (with a `WWW-Authenticate: Basic` challenge) unless the
 * request carries `username` / `password`.
 */
export async function startGitServer(
  repos: Readonly<Record<string, RepoSpec>>,
  credentials: { username: string; password: string } = {
    username: 'seed-user',
    password: 'Pa55:w0rd/with@odd&chars',
  },
): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), 'mm-git-'));
  for (const [name, spec] of Object.entries(repos)) await makeRepository(root, name, spec);
  const projectRoot = join(root, 'repos');
  const requests: SeenRequest[] = [];
  const children = new Set<ChildProcess>();
  const server: Server = createServer((request, response) => {
    const { user, password } = credentialsOf(request);
    const path = new URL(request.url ?? '/', 'http://git.invalid').pathname;
    requests.push({ method: request.method ?? 'GET', path, user, password });
    const name = /^\/([^/]+)\.git\//.exec(path)?.[1];
    const spec = name === undefined ? undefined : repos[name];
    const allowed =
      spec !== undefined &&
      (spec.auth === false || (user === credentials.username && password === credentials.password));
    if (spec !== undefined && !allowed) {
      request.resume();
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="modelmaker tests"' });
      response.end('unauthorized\n');
      return;
    }
    serveCgi(projectRoot, request, response, user, children);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    ...credentials,
    url: (name) => `${origin}/${name}.git`,
    requests,
    async close() {
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A loopback TCP port that accepts connections and never answers. */
export async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/silent.git`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A git program that records each call's argv and pid, then runs the real git. */
export interface RecordingGit {
  /** The program to give as `git.program`. */
  readonly program: string;
  /** Every argument of every call so far, one a line. */
  argv(): Promise<string>;
  /** The pids of the calls so far. */
  pids(): Promise<number[]>;
  /** Forgets the calls so far. */
  reset(): Promise<void>;
}

/** Writes a {@link RecordingGit} wrapper into `directory`. */
export async function recordingGit(directory: string): Promise<RecordingGit> {
  const argvLog = join(directory, 'git-argv.log');
  const pidLog = join(directory, 'git-pid.log');
  const program = join(directory, 'recording-git');
  await writeFile(
    program,
    `#!/bin/sh\nprintf '%s\\n' "$@" >> '${argvLog}'\necho $$ >> '${pidLog}'\nexec git "$@"\n`,
  );
  await chmod(program, 0o755);
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  return {
    program,
    argv: () => read(argvLog),
    pids: async () =>
      (await read(pidLog))
        .split('\n')
        .filter((line) => line !== '')
        .map(Number),
    reset: async () => {
      await writeFile(argvLog, '');
      await writeFile(pidLog, '');
    },
  };
}
