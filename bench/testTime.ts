/**
 * Test-suite time (numbers, not tests): `npx tsx bench/testTime.ts [--baseline <checkout>] [--rounds n] [files…]`.
 *
 * Runs `vitest run` on the given test files (none: the whole suite) in this checkout
 * and, with `--baseline`, in another checkout of the repository (e.g. a worktree of
 * `main` with its own `node_modules`), `--rounds` times each in turn (this checkout
 * first in odd rounds, the baseline first in even ones), so both meet the same
 * machine. The machine is shared: besides wall time it reports the CPU time (user +
 * system) of vitest and every process it waited for — its workers and everything
 * they started (CLI commands, platforms, training and serving processes) — which
 * measures the work itself whatever the load.
 *
 * Reported per run: wall, CPU, vitest's own phase sums (import, tests), pass/fail
 * counts, and the load average before and after; then per test file the median
 * duration of each side (the files given, or the slowest 25), and the ratios.
 *
 * Options (env or flags): `--baseline <dir>`, `--rounds <n>` (1), `--top <n>` (25); arguments
 * after `--` go to vitest in both checkouts (e.g. `-- --pool=threads`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux). */
const CLOCK_TICKS = 100;

interface Options {
  readonly baseline?: string;
  readonly rounds: number;
  readonly top: number;
  readonly files: readonly string[];
  /** Arguments after `--`, passed to vitest as they are (e.g. `--pool=threads`). */
  readonly vitestArgs: readonly string[];
}

interface RunResult {
  readonly checkout: string;
  readonly wallS: number;
  readonly cpuS: number;
  readonly importS: number | undefined;
  readonly testsS: number | undefined;
  readonly passed: number;
  readonly failed: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
  /** Duration of each test file (its tests, hooks included), seconds, by path relative to the checkout. */
  readonly files: ReadonlyMap<string, number>;
  /** What failed: `file: test name: first line of the message`. */
  readonly failures: readonly string[];
}

function parseOptions(argv: readonly string[]): Options {
  let baseline = process.env.BENCH_BASELINE;
  let rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  let top = Number(process.env.BENCH_TOP ?? 25);
  const files: string[] = [];
  const vitestArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      vitestArgs.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--baseline') baseline = argv[++i];
    else if (arg === '--rounds') rounds = Number(argv[++i]);
    else if (arg === '--top') top = Number(argv[++i]);
    else files.push(arg);
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: expected a whole number ≥ 1');
  return { ...(baseline ? { baseline: resolve(baseline) } : {}), rounds, top, files, vitestArgs };
}

/** CPU seconds (user + system) of this process's waited-for children, from /proc. */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // fields after the command name (which may hold spaces) start at field 3 (state)
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime are fields 16 and 17 (1-based) of the whole line
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / CLOCK_TICKS;
}

/** The seconds vitest's summary line gives a phase (`import 117.76s`), if printed. */
function phase(output: string, name: string): number | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are stripped first
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const match = new RegExp(`${name} ([0-9.]+)(m?s)`).exec(plain);
  if (!match) return undefined;
  return Number(match[1]) / (match[2] === 'ms' ? 1000 : 1);
}

interface JsonReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly testResults: ReadonlyArray<{
    name: string;
    startTime: number;
    endTime: number;
    message?: string;
    assertionResults: ReadonlyArray<{ fullName: string; status: string; failureMessages?: string[] }>;
  }>;
}

async function runSuite(
  checkout: string,
  files: readonly string[],
  vitestArgs: readonly string[],
): Promise<RunResult> {
  const out = mkdtempSync(join(tmpdir(), 'mm-test-time-'));
  const report = join(out, 'report.json');
  const loadBefore = loadavg()[0]!;
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  let output = '';
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        join(checkout, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
        ...vitestArgs,
        ...files,
      ],
      { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', fail);
    child.once('close', done);
  });
  const wallS = (performance.now() - started) / 1000;
  const cpuS = childrenCpuSeconds() - cpuBefore;
  const loadAfter = loadavg()[0]!;
  let json: JsonReport;
  try {
    json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
  } catch {
    throw new Error(`vitest in ${checkout} ended with ${code} and no report:\n${output.slice(-4000)}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return {
    checkout,
    wallS,
    cpuS,
    importS: phase(output, 'import'),
    testsS: phase(output, 'tests'),
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    loadBefore,
    loadAfter,
    files: new Map(
      json.testResults.map((file) => [relative(checkout, file.name), (file.endTime - file.startTime) / 1000]),
    ),
    failures: json.testResults.flatMap((file) => [
      ...(file.message ? [`${relative(checkout, file.name)}: ${file.message.split('\n')[0]}`] : []),
      ...file.assertionResults
        .filter((test) => test.status === 'failed')
        .map(
          (test) =>
            `${relative(checkout, file.name)}: ${test.fullName}: ${(test.failureMessages?.[0] ?? '').split('\n')[0]}`,
        ),
    ]),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const seconds = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(1)} s`);
const ratio = (now: number, before: number) => (before > 0 ? `×${(now / before).toFixed(2)}` : '–');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const here = resolve(import.meta.dirname, '..');
  const checkouts = options.baseline === undefined ? [here] : [here, options.baseline];
  const results = new Map<string, RunResult[]>(checkouts.map((checkout) => [checkout, []]));
  console.log(
    `test time: ${options.files.length === 0 ? 'the whole suite' : `${options.files.length} files`}, ` +
      `${options.rounds} round(s), node ${process.version}`,
  );
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? checkouts : [...checkouts].reverse();
    for (const checkout of order) {
      const result = await runSuite(checkout, options.files, options.vitestArgs);
      results.get(checkout)!.push(result);
      console.log(
        `round ${round} ${checkout === here ? 'now' : 'baseline'}: wall ${seconds(result.wallS)}, ` +
          `CPU ${seconds(result.cpuS)}, import ${seconds(result.importS)}, tests ${seconds(result.testsS)}, ` +
          `${result.passed} passed, ${result.failed} failed, load ${result.loadBefore.toFixed(1)} → ${result.loadAfter.toFixed(1)}`,
      );
      for (const failure of result.failures) console.log(`  failed: ${failure}`);
    }
  }

  const now = results.get(here)!;
  const before = options.baseline === undefined ? undefined : results.get(options.baseline)!;
  const mid = (runs: readonly RunResult[], pick: (run: RunResult) => number) => median(runs.map(pick));
  console.log('\nmedians:');
  for (const [label, pick] of [
    ['wall', (run: RunResult) => run.wallS],
    ['CPU', (run: RunResult) => run.cpuS],
  ] as const) {
    const a = mid(now, pick);
    const line = `  ${label}: now ${seconds(a)}`;
    if (before === undefined) console.log(line);
    else {
      const b = mid(before, pick);
      console.log(`${line}, baseline ${seconds(b)}, ${ratio(a, b)}`);
    }
  }

  const fileNames =
    options.files.length > 0 && options.files.every((file) => file.endsWith('.ts'))
      ? [...now[0]!.files.keys()]
      : [...now[0]!.files.entries()]
          .map(
            ([name]) =>
              [name, Math.max(...[...now, ...(before ?? [])].map((r) => r.files.get(name) ?? 0))] as const,
          )
          .sort((a, b) => b[1] - a[1])
          .slice(0, options.top)
          .map(([name]) => name);
  console.log('\nper file (median seconds):');
  for (const name of fileNames) {
    const a = median(now.map((run) => run.files.get(name) ?? 0));
    if (before === undefined) console.log(`  ${a.toFixed(1).padStart(6)}  ${name}`);
    else {
      const b = median(before.map((run) => run.files.get(name) ?? 0));
      console.log(
        `  ${a.toFixed(1).padStart(6)} ${b.toFixed(1).padStart(6)}  ${ratio(a, b).padStart(6)}  ${name}`,
      );
    }
  }
}

await main();
