/**
 * Shared by the serving tests: models and services over plain HTTP, predictions
 * with plain fetch, fixtures uploaded to the embedded S3.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { FRAMEWORK_IDS } from '../../src/catalog.js';
import type { LocalPlatform } from '../../src/platform.js';
import { type Answer, type Api, put, waitUntil } from '../platform/helpers.js';

/** Catalog ids: PREDICT frameworks, a PREDICT machine, the logistic regression preset. */
export const NODE_PREDICT = FRAMEWORK_IDS.predictNode;
export const PYTHON_PREDICT = FRAMEWORK_IDS.predictPython;
export const PREDICT_MACHINE = 500151;
/** The logistic-regression preset algorithm, and the preset model that serves what it trains. */
export const LOGISTIC_REGRESSION = 500001;
export const LOGISTIC_REGRESSION_MODEL = 500001;

/** The text of a file under `test/fixtures/`. */
export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../../test/fixtures/${name}`, import.meta.url)), 'utf8');
}

/**
 * Uploads a "model" for the predict fixtures (`tag.txt` holding `tag`) and, when
 * given, the fixture server as code; returns their `s3://` folders.
 */
export async function uploadPredictModel(
  s3: S3Client,
  platform: Pick<LocalPlatform, 's3'>,
  name: string,
  tag: string,
  server?: { file: string; as: string },
): Promise<{ modelPath: string; codeUrl: string | undefined }> {
  const model = await put(s3, platform, `models/${name}/model/tag.txt`, tag);
  const code = server
    ? await put(s3, platform, `models/${name}/code/${server.as}`, fixture(server.file))
    : undefined;
  return {
    modelPath: model.replace(/tag\.txt$/, ''),
    codeUrl: code?.slice(0, code.length - (server?.as.length ?? 0)),
  };
}

/** A BASIC_FRAMEWORK node model serving `tag`; returns its version id. */
export async function nodeModel(
  api: Api,
  s3: S3Client,
  platform: Pick<LocalPlatform, 's3'>,
  name: string,
  tag: string,
): Promise<number> {
  const { modelPath, codeUrl } = await uploadPredictModel(s3, platform, name, tag, {
    file: 'predict-node.mjs',
    as: 'server.mjs',
  });
  const created = await api.ok('POST', '/v1/model', {
    name,
    type: 'BASIC_FRAMEWORK',
    version: '1.0.0',
    frameworkId: NODE_PREDICT,
    modelPath,
    codeUrl,
    startup: 'server.mjs',
  });
  return created.json.versionId;
}

/** One service model entry. */
export function serviceModel(
  modelVersionId: number,
  extra: { weight?: number; instanceCount?: number; envs?: Array<{ name: string; value: string }> } = {},
) {
  return {
    modelVersionId,
    weight: extra.weight ?? 100,
    resourceId: PREDICT_MACHINE,
    instanceCount: extra.instanceCount ?? 1,
    ...(extra.envs ? { envs: extra.envs } : {}),
  };
}

/** Creates a service; returns its id. */
export async function deploy(api: Api, name: string, serviceModels: unknown[]): Promise<number> {
  const created = await api.ok('POST', '/v1/service', { name, type: 'ONLINE_SERVICE', serviceModels });
  return created.json.id;
}

/** Polls a service until its status is one of `statuses`; returns its detail. */
export async function waitForService(
  api: Api,
  id: number,
  statuses: readonly string[],
  timeoutMs = 20_000,
): Promise<Answer['json']> {
  let last: Answer | undefined;
  try {
    return await waitUntil(async () => {
      last = await api.ok('GET', `/v1/service/${id}`);
      return statuses.includes(last.json.status) && last.json;
    }, timeoutMs);
  } catch {
    throw new Error(`service ${id} not ${statuses.join('|')}: ${last?.text}`);
  }
}

/** Every instance of a service detail. */
export function instancesOf(detail: Answer['json']): Array<{
  index: number;
  port?: number;
  pid?: number;
  status: string;
  restarts: number;
}> {
  return detail.serviceModels.flatMap((m: { instances: unknown[] }) => m.instances);
}

/** `POST {accessAddress}/ModelMaker/predict`: status and parsed body. */
export async function predict(
  accessAddress: string,
  body: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON fields
): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(`${accessAddress}/ModelMaker/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** Every line of a service's log. */
export async function serviceLogs(
  api: Api,
  id: number,
): Promise<Array<{ id: number; content: string; instance: number; stream: string }>> {
  const lines = [];
  for (let lastId = 0; ; ) {
    const page = await api.ok('GET', `/v1/service/${id}/log?lastId=${lastId}&limit=10000`);
    lines.push(...page.json.logs);
    if (!page.json.hasMore) return lines;
    lastId = lines.at(-1)!.id + 1;
  }
}
