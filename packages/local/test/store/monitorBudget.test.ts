import * as E from 'fp-ts/lib/Either.js';
import { type CompiledMonitor, compileMonitors, type MonitorSpec } from 'modelmaker';
import { describe, expect, it } from 'vitest';
import { MonitorBudget } from '../../src/store/monitorBudget.js';

function compiled(specs: MonitorSpec[]): CompiledMonitor[] {
  const result = compileMonitors(specs);
  if (E.isLeft(result)) throw result.left;
  return result.right;
}

/** Thirty-odd `a`s and a `!`: `^(a+)+$` backtracks for hours on it (doubling per character). */
const CATASTROPHIC_LINE = `${'a'.repeat(40)}!`;

describe('monitors within a time budget', () => {
  it('disables a catastrophically backtracking pattern after its budget, keeping the other monitors and earlier matches', () => {
    const budget = new MonitorBudget(50);
    const monitors = compiled([
      { name: 'evil', regular: '^(a+)+$' },
      { name: 'loss', regular: 'loss=([0-9.]+)' },
    ]);
    const outcome = budget.evaluate(monitors, ['loss=0.5', 'aaaa', CATASTROPHIC_LINE, 'loss=0.25']);
    expect(outcome.disabled.map((d) => d.monitor.name)).toEqual(['evil']);
    expect(outcome.disabled[0]!.reason).toMatch(
      /^monitor "evil" disabled: its pattern ran over 100 ms on one log line/,
    );
    expect(outcome.matches).toEqual([
      { line: 0, match: { name: 'loss', value: 0.5 } },
      { line: 3, match: { name: 'loss', value: 0.25 } },
    ]);
  });

  it('keeps a monitor whose batch merely outlasts the budget: the line it stopped at passes on its own', () => {
    const budget = new MonitorBudget(10);
    const monitors = compiled([{ name: 'loss', regular: 'loss=([0-9.]+)$' }]);
    // Long lines: scanning them is slow enough to outlast the budget, without much garbage.
    const padding = 'x'.repeat(4000);
    const lines = Array.from({ length: 40_000 }, (_, i) => `${padding} loss=${i}`);
    const outcome = budget.evaluate(monitors, lines);
    expect(budget.interruptions).toBeGreaterThan(0);
    expect(outcome.disabled).toEqual([]);
    expect(outcome.matches).toHaveLength(lines.length);
    expect(outcome.matches.slice(0, 2)).toEqual([
      { line: 0, match: { name: 'loss', value: 0 } },
      { line: 1, match: { name: 'loss', value: 1 } },
    ]);
    expect(outcome.matches.every(({ line, match }, i) => line === i && match.value === i)).toBe(true);
  });

  it('keeps a monitor when one try on a line was cut short by something else than its pattern (e.g. a garbage collection)', () => {
    const budget = new MonitorBudget(10);
    // The pattern stalls (computing) on 'loss=7' twice: in the batch, then in its first try alone.
    let stalls = 2;
    class StallingTwice extends RegExp {
      override exec(text: string): RegExpExecArray | null {
        if (text === 'loss=7' && stalls > 0) {
          stalls--;
          const until = performance.now() + 60;
          while (performance.now() < until) {
            // busy: the time is CPU time, as a garbage collection's is
          }
        }
        return super.exec(text);
      }
    }
    const monitors: CompiledMonitor[] = [{ name: 'loss', pattern: new StallingTwice('loss=([0-9.]+)') }];
    const outcome = budget.evaluate(monitors, ['loss=1', 'loss=7', 'loss=9']);
    expect(budget.interruptions).toBe(1);
    expect(stalls).toBe(0);
    expect(outcome.disabled).toEqual([]);
    expect(outcome.matches.map(({ match }) => match.value)).toEqual([1, 7, 9]);
  });
});
