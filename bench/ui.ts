/**
 * Dashboard benchmark (numbers, not tests): `npx tsx --conditions=modelmaker-source bench/ui.ts`
 * (also `npm run bench -w @modelmaker/ui`).
 *
 * A local platform, the dashboard on it (its default polling: what a user gets)
 * and Debian's chromium (headless, playwright-core). Three measurements:
 *
 * 1. **Time to first line** (print → visible): a job prints `mark <Date.now()>`
 *    every BENCH_MARK_MS (300) ms, BENCH_MARKS (30) times, while its version page
 *    is open; a MutationObserver in the page notes when each row enters the DOM.
 *    Latency = that moment − the printed time (same machine clock).
 * 2. **A 200,000-line log** (BENCH_LINES): a job prints them at once; the time
 *    from opening its page to every line held, the page's JS heap after a GC
 *    (CDP `Performance.getMetrics`), its DOM node count (the list is virtualised),
 *    and the time a jump to the middle of the log takes to show (scroll → rows
 *    drawn, two animation frames), with a search over all lines.
 * 3. **50 jobs updating at once** (BENCH_JOBS): the jobs page while that many short
 *    jobs are started and run (queued by the platform's scheduler, then
 *    STARTING → TRAINING → FINISH); the page's long tasks (> 50 ms) over the window.
 */
import { cpus, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { fixtureJob, launchBrowser, newPage, startJob, startStack } from '../packages/ui/test/support.js';

const MARKS = Number(process.env.BENCH_MARKS ?? 30);
const MARK_MS = Number(process.env.BENCH_MARK_MS ?? 300);
const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const JOBS = Number(process.env.BENCH_JOBS ?? 50);
/** Longest wait for any one phase, ms. */
const PHASE_TIMEOUT_MS = 240_000;

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The page's JS heap in use after a full GC, bytes. */
async function heapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
}

const stack = await startStack({ feedPoll: undefined, streamPoll: {} });
const browser = await launchBrowser();
const errors: string[] = [];
try {
  const { session, dashboard } = stack;
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );

  // 1. print → visible
  {
    const page = await newPage(browser, errors);
    const job = await startJob(
      session,
      fixtureJob(stack, 'bench-ttfl', { steps: 0, marks: MARKS, delayMs: MARK_MS }),
    );
    await page.goto(`${dashboard.url}#/versions/${job.versionId}`);
    await page.locator('.log-viewport').waitFor();
    await page.evaluate(() => {
      const seen = new Map<string, number>();
      (window as unknown as { latencies: number[] }).latencies = [];
      new MutationObserver((records) => {
        const now = performance.timeOrigin + performance.now();
        for (const record of records)
          for (const node of Array.from(record.addedNodes)) {
            const text = (node as HTMLElement).querySelector?.('.log-text')?.textContent ?? '';
            const match = /^mark (\d+)$/.exec(text);
            if (!match || seen.has(match[1]!)) continue;
            seen.set(match[1]!, now);
            (window as unknown as { latencies: number[] }).latencies.push(now - Number(match[1]));
          }
      }).observe(document.body, { subtree: true, childList: true });
    });
    await page.locator('.badge[data-status="FINISH"]').first().waitFor({ timeout: PHASE_TIMEOUT_MS });
    const latencies = (
      await page.evaluate(() => (window as unknown as { latencies: number[] }).latencies)
    ).sort((a, b) => a - b);
    // the first mark may come before the page watched (the job starts first): count only those seen live
    process.stdout.write(
      `time to first line (print → visible), ${latencies.length} lines: p50 ${ms(quantile(latencies, 0.5))}, p95 ${ms(
        quantile(latencies, 0.95),
      )}, max ${ms(latencies.at(-1) ?? Number.NaN)}\n`,
    );
    await page.close();
  }

  // 2. a 200,000-line log
  {
    const page = await newPage(browser, errors);
    await page.goto(`${dashboard.url}#/jobs`);
    await page.locator('table[data-table="jobs"]').waitFor();
    const emptyHeap = await heapUsed(page);
    const job = await startJob(session, fixtureJob(stack, 'bench-volume', { steps: 0, lines: LINES }));
    // let the job finish first: this measures the page taking in a big log, not the job printing it
    await page
      .locator(`tr[data-job="${job.jobId}"] .badge[data-status="FINISH"]`)
      .waitFor({ timeout: PHASE_TIMEOUT_MS });
    const opened = Date.now();
    await page.goto(`${dashboard.url}#/versions/${job.versionId}`);
    await page.waitForFunction(
      (n) => Number(document.querySelector('.log-count')?.getAttribute('data-lines')) >= n,
      LINES,
      { timeout: PHASE_TIMEOUT_MS, polling: 100 },
    );
    const loadMs = Date.now() - opened;
    const heap = await heapUsed(page);
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const jumpMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const viewport = document.querySelector('.log-viewport')!;
          const started = performance.now();
          viewport.scrollTop = viewport.scrollHeight / 2;
          viewport.dispatchEvent(new Event('scroll'));
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - started)));
        }),
    );
    const searched = Date.now();
    await page.getByLabel('search the log').fill('line 123456 ');
    await page.locator('.log-count[data-shown="1"]').waitFor({ timeout: PHASE_TIMEOUT_MS });
    const searchMs = Date.now() - searched;
    process.stdout.write(
      `${LINES.toLocaleString('en')}-line log: all lines in the page ${ms(loadMs)} after opening it; JS heap ${mib(
        heap,
      )} (jobs page before: ${mib(emptyHeap)}); ${nodes} DOM elements; jump to the middle drawn in ${ms(
        jumpMs,
      )}; search over all lines ${ms(searchMs)}\n`,
    );
    await page.close();
  }

  // 3. many jobs updating at once
  {
    const page = await newPage(browser, errors);
    await page.goto(`${dashboard.url}#/jobs`);
    await page.locator('table[data-table="jobs"]').waitFor();
    const observable = await page.evaluate(() =>
      PerformanceObserver.supportedEntryTypes.includes('longtask'),
    );
    if (!observable) throw new Error('this browser does not report long tasks');
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: false });
    });
    const started = Date.now();
    const jobs = [];
    for (let i = 0; i < JOBS; i++)
      jobs.push(await startJob(session, fixtureJob(stack, `bench-many-${i}`, { steps: 3, delayMs: 50 })));
    await page.waitForFunction(
      (n) => document.querySelectorAll('tr[data-job^="bench"], tr[data-job]').length >= n,
      JOBS + 2,
      { timeout: PHASE_TIMEOUT_MS },
    );
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('tr[data-job] .badge')).every((b) =>
          /FINISH|FAIL|STOPPED/.test(b.textContent ?? ''),
        ),
      undefined,
      { timeout: PHASE_TIMEOUT_MS, polling: 250 },
    );
    const windowMs = Date.now() - started;
    const longTasks = (
      await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks)
    ).sort((a, b) => a - b);
    process.stdout.write(
      `${JOBS} jobs started and run to the end with the jobs page open (${(windowMs / 1000).toFixed(0)} s): ${
        longTasks.length
      } long tasks (> 50 ms) in the page, longest ${ms(longTasks.at(-1) ?? 0)}\n`,
    );
    await page.close();
  }
  if (errors.length > 0) process.stdout.write(`page errors:\n${errors.join('\n')}\n`);
} finally {
  await browser.close();
  await stack.close();
}
