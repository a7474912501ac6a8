/**
 * Takes the screenshots of the main pages in `docs/` (`npm run screenshots -w
 * @modelmaker/ui`): a local platform with jobs in every state, a running job's
 * page with its live log and charts, a service answering in the predict console,
 * and the catalog. Run it again after changing the page; commit the PNGs.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stopTrain } from 'modelmaker';
import { lastValueFrom } from 'rxjs';
import { deployIrisService, jobsInEveryState } from '../test/scenes.js';
import { fixtureJob, launchBrowser, newPage, startJob, startStack } from '../test/support.js';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
const shot = (name: string) => `${DOCS}dashboard-${name}.png`;

const stack = await startStack();
const browser = await launchBrowser();
const errors: string[] = [];
try {
  mkdirSync(DOCS, { recursive: true });
  const { session, dashboard } = stack;
  const service = await deployIrisService(session, stack);
  const jobs = await jobsInEveryState(session, stack);
  const stopped = await startJob(session, fixtureJob(stack, 'lstm-forecast', { steps: 2, holdMs: 60_000 }));
  const page = await newPage(browser, errors, { width: 1360, height: 900 });

  // the running job's page: live status, charts, log
  await page.goto(`${dashboard.url}#/versions/${jobs.running.versionId}`);
  await page.locator('.badge[data-status="TRAINING"]').first().waitFor();
  await page.locator('figure.chart[data-chart="accuracy"]').waitFor();
  await page.waitForFunction(
    () => Number(document.querySelector('.log-count')?.getAttribute('data-lines')) >= 30,
  );
  await lastValueFrom(stopTrain(session, stopped.versionId));
  await page.screenshot({ path: shot('version'), fullPage: false });

  await page.goto(`${dashboard.url}#/jobs`);
  await page.locator('tr[data-job]').nth(4).waitFor();
  await page.locator('.badge[data-status="STOPPED"]').waitFor();
  await page.screenshot({ path: shot('jobs') });

  await page.goto(`${dashboard.url}#/services/${service.serviceId}`);
  await page.locator('.badge[data-status="RUNNING"]').first().waitFor();
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('[data-latency]').waitFor();
  await page.screenshot({ path: shot('service') });

  await page.goto(`${dashboard.url}#/catalog`);
  await page.locator('table[data-table="Preset models"] tbody tr').first().waitFor();
  await page.screenshot({ path: shot('catalog') });

  if (errors.length > 0) throw new Error(`the page reported errors:\n${errors.join('\n')}`);
  process.stdout.write(`screenshots written to ${DOCS}dashboard-*.png\n`);
} finally {
  await browser.close();
  await stack.close();
}
