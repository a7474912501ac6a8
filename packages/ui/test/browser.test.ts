/**
 * The dashboard in a real browser (Debian's chromium through playwright-core)
 * against a real local platform running real jobs: statuses change live, log
 * lines arrive in order with none missing or repeated across a forced
 * reconnect, metric charts gain points, stop and delete work from the page, a
 * model version deployed from the page answers in the predict console — and the
 * page logs no error. One platform and one browser for the whole file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getTrainLog, getTrainVersion, type LogLine } from 'modelmaker';
import type { Browser, Page } from 'playwright-core';
import { lastValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerPresetModel } from './scenes.js';
import { fixtureJob, launchBrowser, newPage, type Stack, startJob, startStack } from './support.js';

let stack: Stack;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  page = await newPage(browser, errors);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach(() => {
  // every test ends with a page that logged nothing on its console
  expect(errors.splice(0)).toEqual([]);
});

/** Every log line of a version, read through the SDK afterwards. */
async function allLines(versionId: number): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (let lastId = 0; ; ) {
    const pageOfLines = await lastValueFrom(getTrainLog(stack.session, versionId, { lastId, limit: 10_000 }));
    lines.push(...pageOfLines.logs);
    if (!pageOfLines.hasMore || pageOfLines.logs.length === 0) return lines;
    lastId = pageOfLines.logs.at(-1)!.id + 1;
  }
}

/** The `data-lines` count the log view shows. */
const shownLines = async () => Number(await page.locator('.log-count').getAttribute('data-lines'));

/** The statuses a locator's badge shows over time, sampled on every DOM change until `until` shows. */
async function statusesUntil(selector: string, until: string): Promise<string[]> {
  return page.evaluate(
    ([css, final]) =>
      new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        const look = () => {
          const status = document.querySelector(css)?.getAttribute('data-status') ?? '';
          if (status !== '' && status !== seen.at(-1)) seen.push(status);
          if (status === final) {
            observer.disconnect();
            resolve(seen);
          }
        };
        const observer = new MutationObserver(look);
        observer.observe(document.body, {
          subtree: true,
          childList: true,
          attributes: true,
          characterData: true,
        });
        look();
      }),
    [selector, until] as const,
  );
}

describe('the dashboard in a browser', () => {
  it('the job list shows a new job and its status changing live, without a reload', async () => {
    await page.goto(`${stack.dashboard.url}#/jobs`);
    await page.getByText('No training jobs yet').waitFor();
    const job = await startJob(stack.session, fixtureJob(stack, 'live-status', { steps: 12, delayMs: 100 }));
    const row = `tr[data-job="${job.jobId}"]`;
    await page.locator(row).waitFor();
    const seen = await statusesUntil(`${row} .badge`, 'FINISH');
    expect(seen.at(-1)).toBe('FINISH');
    expect(seen).toContain('TRAINING');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(await page.locator(`${row} a.strong`).textContent()).toBe('live-status');

    // the job's page lists its version; the catalog lists what the platform offers
    await page.locator(`${row} a.strong`).click();
    await page.locator(`tr[data-version="${job.versionId}"] .badge[data-status="FINISH"]`).waitFor();
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.locator('table[data-table="Training machines"] tbody tr').first().waitFor();
    expect(await page.locator('table[data-table="Preset algorithms"]').textContent()).toContain(
      'logistic-regression',
    );
  });

  it('a running version: log lines in order with none missing or repeated across a forced reconnect, charts gaining points', async () => {
    // the job waits after step 10 until the stream has been cut, so it cannot end first on a slow machine
    const gate = join(stack.platform.dataDir, 'live-log.go'); // removed with the platform's data
    const job = await startJob(
      stack.session,
      fixtureJob(stack, 'live-log', { steps: 40, delayMs: 80, gate, gateStep: 10 }),
    );
    await page.goto(`${stack.dashboard.url}#/versions/${job.versionId}`);
    await page.locator('.live[data-stream="live"]').waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector('.log-count')?.getAttribute('data-lines')) >= 5,
    );

    // the accuracy chart gains points while the job runs
    const chart = page.locator('figure.chart[data-chart="accuracy"]');
    await chart.waitFor();
    const early = Number(await chart.getAttribute('data-points'));
    expect(early).toBeGreaterThan(0);

    // cut every event stream mid-job: the page reconnects and resumes from its last event id
    const before = await shownLines();
    stack.dashboard.dropStreams();
    await page.locator('.live[data-stream="reconnecting"], .live[data-stream="connecting"]').waitFor();
    await writeFile(gate, '');
    await page.locator('.live[data-stream="live"], .live[data-stream="ended"]').waitFor();
    await page.locator('.badge[data-status="FINISH"]').first().waitFor();
    await page.locator('.live[data-stream="ended"]').waitFor();
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('figure.chart[data-chart="accuracy"]')?.getAttribute('data-points')) ===
        n,
      40,
    );
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(early);
    expect(await page.locator('figure.chart[data-chart="loss"]').getAttribute('data-points')).toBe('40');

    // every line the platform has, once, in order, and the newest in view (following)
    const expected = await allLines(job.versionId);
    expect(before).toBeLessThan(expected.length);
    expect(await shownLines()).toBe(expected.length);
    expect(await page.locator('.log-count').getAttribute('data-gaps')).toBe('0');
    await page.locator('.log-row[data-line-id]', { hasText: 'model written' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.log-toolbar').getByRole('button', { name: 'Download' }).click(),
    ]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toBe(`${expected.map((line) => line.content).join('\n')}\n`);

    // the output files, downloaded through the dashboard
    const files = page.locator('table[data-table="files"]');
    await files.waitFor();
    expect(await files.locator('tbody a').allTextContents()).toEqual(['metrics.json', 'model.json']);
    const [artifact] = await Promise.all([
      page.waitForEvent('download'),
      files.getByText('model.json').click(),
    ]);
    expect(artifact.suggestedFilename()).toBe('model.json');
    expect(JSON.parse(await readFile((await artifact.path())!, 'utf8'))).toEqual({ steps: 40 });

    // search filters the view; the secret hyperparameter is masked
    await page.getByLabel('search the log').fill('step=40 ');
    await page.locator('.log-count[data-shown="1"]').waitFor();
    expect(await page.locator('.log-row .log-text').allTextContents()).toEqual([
      'step=40 loss=0.0667 accuracy=0.9467',
    ]);
    expect(await page.locator('table[data-table="hyperparameters"]').textContent()).toContain(
      'DB_PASSWORD***',
    );
    expect(await page.content()).not.toContain('hunter2-secret');
  });

  it('stop and delete from the job list, each after a confirmation', async () => {
    const job = await startJob(
      stack.session,
      fixtureJob(stack, 'to-stop', { steps: 2, delayMs: 50, holdMs: 60_000 }),
    );
    await page.goto(`${stack.dashboard.url}#/jobs`);
    const row = page.locator(`tr[data-job="${job.jobId}"]`);
    await row.locator('.badge[data-status="TRAINING"]').waitFor();
    await row.getByRole('button', { name: 'Stop' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Stop version ${job.versionId}?`).waitFor();
    await dialog.getByRole('button', { name: 'Stop' }).click();
    await row.locator('.badge[data-status="STOPPED"]').waitFor();
    expect((await lastValueFrom(getTrainVersion(stack.session, job.versionId))).status).toBe('STOPPED');
    expect(await row.locator('.reason').textContent()).toMatch(/stopped/i);

    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await expect(lastValueFrom(getTrainVersion(stack.session, job.versionId))).rejects.toMatchObject({
      errorCode: 4004,
    });
  });

  it('deploys a model version from the page; the service answers in the predict console; stop and delete', async () => {
    const model = await registerPresetModel(stack.session, stack, 'iris');
    await page.goto(`${stack.dashboard.url}#/models/${model.modelId}`);
    await page
      .locator(`tr[data-model-version="${model.modelVersionId}"]`)
      .getByRole('button', { name: 'Deploy' })
      .click();
    const form = page.getByRole('dialog', { name: 'deploy' });
    await form.locator('select[name="resource"] option').first().waitFor({ state: 'attached' });
    await form.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL(/#\/services\/\d+$/);
    const serviceId = Number(/#\/services\/(\d+)$/.exec(page.url())![1]);
    await page.locator('h1 .badge[data-status="RUNNING"]').waitFor();

    await page.getByLabel('request JSON').fill('{"instances": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('[data-answer]');
    await answer.locator('[data-latency]').waitFor();
    expect(JSON.parse((await answer.locator('pre').textContent())!)).toEqual({
      predictions: ['setosa', 'virginica'],
    });
    expect(Number(await answer.locator('[data-latency]').getAttribute('data-latency'))).toBeGreaterThan(0);

    // the serving instances' log, and an update: two instances instead of one
    await page.waitForFunction(
      () => Number(document.querySelector('.log-count')?.getAttribute('data-lines')) > 0,
    );
    await page.getByLabel('instances').fill('2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('table[data-table="service-models"] .chip').nth(1).waitFor();
    await page
      .locator('table[data-table="service-models"] .chip .badge[data-status="READY"]')
      .nth(1)
      .waitFor();

    await page.getByLabel('request JSON').fill('{"instances": ');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.answer-error', { hasText: 'not JSON' }).waitFor();

    await page.locator('.page-head').getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await page.locator('h1 .badge[data-status="STOPPED"]').waitFor();
    await page.locator('.page-head').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/#\/services$/);
    await page.locator('table[data-table="services"]').waitFor();
    expect(await page.locator(`tr[data-service="${serviceId}"]`).count()).toBe(0);
  });
});
