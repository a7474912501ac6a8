/**
 * `@modelmaker/ui`: the ModelMaker dashboard. A local web server built on the
 * SDK — it holds the session, serves a page, and pushes the SDK's live streams
 * (status, logs, metrics, resources, services) to it as Server-Sent Events.
 *
 * @example
 * ```ts
 * import { Session } from 'modelmaker';
 * import { startDashboard } from '@modelmaker/ui';
 *
 * const dashboard = await startDashboard({ session: new Session(), port: 9950 });
 * console.log(`dashboard at ${dashboard.url}`);
 * ```
 * @module
 */
export { type Asset, type Assets, DEFAULT_ASSETS_DIR, loadAssets } from './assets.js';
export { batchBursts } from './batch.js';
export * from './defaults.js';
export { type JobRow, type JobRowsOptions, jobRows } from './feeds/jobs.js';
export { type ServiceFeedOptions, serviceFeed } from './feeds/service.js';
export { SharedFeeds } from './feeds/shared.js';
export { snapshots } from './feeds/snapshots.js';
export { type LogFeedOptions, versionFeed, type WireLogEvent } from './feeds/version.js';
export { isSecretName, mask } from './mask.js';
export { type Dashboard, type DashboardOptions, startDashboard } from './server.js';
export { type FrameOptions, resumeFrom, type ServerSentEvent, toFrames } from './sse.js';
