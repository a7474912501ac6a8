/**
 * Runs a version's monitors over its log lines with a time budget, so a user's
 * pattern that backtracks catastrophically (`^(a+)+$` against thirty `a`s and a `!`
 * takes seconds, doubling per character) cannot freeze the platform: monitors run on
 * the event loop that serves the API, S3 and the gateways.
 *
 * How long, not what: which lines match and what value a match yields stay the SDK's
 * `applyMonitors`; this module only decides where it runs and for how long. It runs
 * inside `vm` with a `timeout`, which interrupts even a regular expression mid-match
 * (V8 terminates the execution from a watchdog thread). When a batch exceeds the
 * budget, the monitor and line it stopped at get another try on their own, with twice
 * the budget — a batch that was merely large passes then, and the work goes on from
 * there; a pattern that exceeds that on one line while computing all along is disabled
 * for the rest of the run, with a reason for the job's log — twice in a row, since one
 * try can be cut short by a garbage collection (CPU time, but not the pattern's). A try
 * cut short while the process barely ran (a loaded machine, a pause) does not count;
 * three tries at most. The event loop is held about five budgets per disabled monitor, once.
 *
 * Why not a worker thread: a monitor's points are written in the same transaction
 * as their lines (whoever sees the lines sees their points), which needs the answer
 * synchronously, and a worker cannot start in time for the first lines (under tsx
 * it takes a second); why not a linear-time engine (RE2): it would change what
 * patterns mean (no lookaround, no backreferences).
 * @module
 */
import vm from 'node:vm';
import { applyMonitors, type CompiledMonitor, type MonitorMatch } from 'modelmaker';

/** What evaluating a batch found. */
export interface MonitorOutcome {
  /** Matches per line, in line order (a line without any is absent). */
  readonly matches: ReadonlyArray<{ readonly line: number; readonly match: MonitorMatch }>;
  /** Monitors that exceeded the budget and are off from now on, with why. */
  readonly disabled: ReadonlyArray<{ readonly monitor: CompiledMonitor; readonly reason: string }>;
}

const TIMEOUT_CODE = 'ERR_SCRIPT_EXECUTION_TIMEOUT';
/** The budget of the one retry a monitor gets on the line it was stopped at, as a multiple of the budget. */
const CONFIRMATION_FACTOR = 2;
/** Most tries a monitor gets on the line it was stopped at, when the tries were not spent computing. */
const MAX_CONFIRMATIONS = 3;
/** Tries stopped while computing that disable a monitor (one alone may have been a garbage collection). */
const BUSY_STOPS_TO_DISABLE = 2;
/** A try that used at least this share of its time on the CPU was computing (not waiting for it). */
const BUSY_SHARE = 0.5;
/** The result of a monitor on a line without a match (shared: most lines have none). */
const NO_MATCHES: MonitorMatch[] = [];

/** Evaluates monitors over lines within a time budget; one per platform. */
export class MonitorBudget {
  private job: (() => void) | undefined;
  private readonly context = vm.createContext({ run: () => this.job?.() });
  private readonly script = new vm.Script('run()');
  /** How many times a batch was stopped at the budget (diagnostics; most go on after the retry). */
  interruptions = 0;

  /** @param budgetMs the longest the event loop is held by one try (see the module comment). */
  constructor(readonly budgetMs: number) {}

  /** Runs `work` with `budgetMs`; false when it was stopped for exceeding it. */
  private within(work: () => void, budgetMs = this.budgetMs): boolean {
    this.job = work;
    try {
      this.script.runInContext(this.context, { timeout: budgetMs });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === TIMEOUT_CODE) return false;
      throw error;
    } finally {
      this.job = undefined;
    }
  }

  /**
   * Runs one monitor on one line with twice the budget: true when it finishes. It fails
   * after {@link BUSY_STOPS_TO_DISABLE} tries stopped while computing; a try stopped while
   * the process hardly used the CPU (the machine was busy elsewhere, a pause) does not
   * count; {@link MAX_CONFIRMATIONS} tries at most.
   */
  private confirm(step: () => void): boolean {
    let busyStops = 0;
    for (let tries = 1; ; tries++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      if (this.within(step, this.budgetMs * CONFIRMATION_FACTOR)) return true;
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      if (cpuMs >= wallMs * BUSY_SHARE) busyStops++;
      if (busyStops >= BUSY_STOPS_TO_DISABLE || tries >= MAX_CONFIRMATIONS) return false;
    }
  }

  /**
   * The matches of `monitors` in `lines`. A monitor that exceeds the budget on one
   * line is reported in `disabled` and not applied further (callers drop it).
   */
  evaluate(monitors: readonly CompiledMonitor[], lines: readonly string[]): MonitorOutcome {
    const active = monitors.map(() => true);
    const disabled: Array<{ monitor: CompiledMonitor; reason: string }> = [];
    // Results by `line * monitors + monitor`: written whole or not at all, so a re-run after
    // an interruption cannot count a match twice.
    const results = new Map<number, MonitorMatch[]>();
    let line = 0;
    let index = 0;
    const step = () => {
      const found = applyMonitors([monitors[index]!], lines[line]!);
      results.set(line * monitors.length + index, found.length > 0 ? found : NO_MATCHES);
    };
    const advance = () => {
      index++;
      if (index >= monitors.length) {
        index = 0;
        line++;
      }
    };
    const rest = () => {
      while (line < lines.length) {
        if (active[index]) step();
        advance();
      }
    };
    for (;;) {
      // A timeout can be reported just after the work finished (the watchdog raced it): done is done.
      if (this.within(rest) || line >= lines.length) break;
      this.interruptions++;
      // Stopped at (line, index): that pair alone gets another try, with twice the budget.
      if (!this.confirm(step)) {
        const monitor = monitors[index]!;
        active[index] = false;
        disabled.push({
          monitor,
          reason:
            `monitor "${monitor.name}" disabled: its pattern ran over ${this.budgetMs * CONFIRMATION_FACTOR} ms on one log line ` +
            '(catastrophic backtracking?); the other monitors go on',
        });
        results.delete(line * monitors.length + index);
      }
      advance();
    }
    const matches: Array<{ line: number; match: MonitorMatch }> = [];
    for (let l = 0; l < lines.length; l++) {
      for (let m = 0; m < monitors.length; m++) {
        // A disabled monitor keeps the matches it found before it was stopped.
        for (const match of results.get(l * monitors.length + m) ?? []) matches.push({ line: l, match });
      }
    }
    return { matches, disabled };
  }
}
