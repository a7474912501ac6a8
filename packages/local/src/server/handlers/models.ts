/**
 * The model routes: create models and versions, list and read them, delete them.
 *
 * Decisions a client can see:
 * - a name clash on `POST /v1/model` is errorCode 101009 with HTTP 200, as the real
 *   platform answers it (its Python client then sends `POST /v1/model/{modelId}/version/`);
 *   a new version takes its model's name;
 * - a create is checked against the catalog and the embedded S3, every problem
 *   named in one 400: PRESET_MODEL needs `presetModelId` (a preset model) and a
 *   `modelPath` holding `model.json`; BASIC_FRAMEWORK needs `frameworkId` (a
 *   PREDICT framework) that runs the `startup` file (`predict.py` on python3), a
 *   `modelPath` with at least one object, and `codeUrl` holding the `startup` file or
 *   `gitInfo` with a `url` (cloned at deploy, where a missing boot file fails the
 *   deploy); CUSTOM needs `mirrorUrl`, and
 *   its `modelPath` / `codeUrl`, when given, must hold something;
 * - version labels (`version`) need not be unique; versions are READY at once;
 * - deleting a model version (or a model with one) that a service uses — in any
 *   status, since a stopped service may be started again — is refused with
 *   409 / 4009 naming the service: delete the service (or move it to another
 *   version) first;
 * - times are ISO 8601 text; git passwords are never echoed (nor one written in `gitInfo.url`).
 * @module
 */

import * as E from 'fp-ts/lib/Either.js';
import { ERROR_CODES, ModelCreate, type ModelSummary, type ModelVersionDetail } from 'modelmaker';
import type { S3AccessProvider } from 'modelmaker/storage';
import { bootFileProblem, findPredictFramework, findPresetModel } from '../../catalog.js';
import { publicGitInfo } from '../../runner/gitClone.js';
import { inside, s3Target } from '../../serving/s3Objects.js';
import type { ModelVersionRecord } from '../../store/models.js';
import type { Store } from '../../store/store.js';
import { conflict, invalid, notFound, platformError } from '../problem.js';
import type { Handlers } from '../router.js';
import { gitInfoProblems } from './fetchRules.js';
import { iso } from './training.js';

/** What the model routes work with. */
export interface ModelDeps {
  readonly store: Store;
  /** The embedded S3, as the SDK's storage reaches it (existence checks). */
  readonly s3: S3AccessProvider;
}

/** The stored body as ModelCreate. */
export function storedModelCreate(version: ModelVersionRecord): ModelCreate {
  const decoded = ModelCreate.decode(version.spec);
  // Stored bodies were validated with this codec; a failure means a hand-edited database.
  if (E.isLeft(decoded)) throw new Error(`model version ${version.id}: stored body no longer decodes`);
  return decoded.right;
}

function withoutPasswords(gitInfo: ModelCreate['gitInfo']): ModelVersionDetail['gitInfo'] {
  if (gitInfo === undefined) return undefined;
  return Array.isArray(gitInfo) ? gitInfo.map(publicGitInfo) : publicGitInfo(gitInfo);
}

function versionDetail(version: ModelVersionRecord): ModelVersionDetail {
  const spec = storedModelCreate(version);
  return {
    ...spec,
    gitInfo: withoutPasswords(spec.gitInfo),
    id: version.id,
    modelId: version.modelId,
    name: version.modelName,
    version: version.version,
    type: spec.type,
    status: version.status,
    createdAt: iso(version.createdAt),
  };
}

/** A relative path that stays inside its folder, with `/` separators. */
function safeRelative(path: string): boolean {
  const parts = path.split('/');
  return path !== '' && !path.startsWith('/') && !parts.some((p) => p === '' || p === '.' || p === '..');
}

/**
 * Checks a ModelCreate against the per-type rules, the catalog and S3.
 *
 * @throws HttpProblem 400 / 4000 listing every problem (`field: message; …`).
 */
async function checkModel(body: ModelCreate, s3: S3AccessProvider, signal: AbortSignal): Promise<void> {
  const problems: string[] = [];
  const need = (field: keyof ModelCreate, because: string) => {
    if (body[field] === undefined) problems.push(`${field}: required ${because}`);
  };
  const holds = async (field: 'modelPath' | 'codeUrl') => {
    const uri = body[field];
    if (uri === undefined) return undefined;
    const target = await s3Target(s3, uri, signal);
    if (target.kind === 'nothing') problems.push(`${field}: nothing found at ${uri}`);
    return target.kind;
  };
  const hasFile = async (field: 'modelPath' | 'codeUrl', file: string, kind: string | undefined) => {
    const uri = body[field]!;
    if (kind === 'object') {
      if (!uri.endsWith(`/${file}`))
        problems.push(`${field}: ${uri} is one object, not a folder holding ${file}`);
    } else if (kind === 'prefix' && (await s3Target(s3, inside(uri, file), signal)).kind !== 'object') {
      problems.push(`${field}: no ${file} in ${uri}`);
    }
  };

  switch (body.type) {
    case 'PRESET_MODEL': {
      need('presetModelId', 'with type PRESET_MODEL');
      need('modelPath', 'with type PRESET_MODEL (the folder holding model.json)');
      if (body.presetModelId !== undefined && !findPresetModel(body.presetModelId)) {
        problems.push(`presetModelId: no preset model ${body.presetModelId}`);
      }
      const kind = await holds('modelPath');
      await hasFile('modelPath', 'model.json', kind);
      break;
    }
    case 'BASIC_FRAMEWORK': {
      need('frameworkId', 'with type BASIC_FRAMEWORK');
      need('modelPath', 'with type BASIC_FRAMEWORK');
      need('startup', 'with type BASIC_FRAMEWORK (the boot file, relative to the code)');
      if (body.codeUrl === undefined) {
        if (body.gitInfo === undefined)
          problems.push('codeUrl: codeUrl or gitInfo required with type BASIC_FRAMEWORK');
        else problems.push(...gitInfoProblems(body.gitInfo));
      }
      const framework = body.frameworkId === undefined ? undefined : findPredictFramework(body.frameworkId);
      if (body.frameworkId !== undefined && framework === undefined) {
        problems.push(`frameworkId: no PREDICT framework ${body.frameworkId}`);
      }
      const cannot =
        framework === undefined || body.startup === undefined
          ? undefined
          : bootFileProblem(framework, body.startup);
      if (cannot !== undefined) problems.push(`startup (modelBootFile): ${cannot}`);
      await holds('modelPath');
      const codeKind = await holds('codeUrl');
      if (body.startup !== undefined) {
        if (!safeRelative(body.startup)) {
          problems.push(`startup: expected a path inside the code, got ${JSON.stringify(body.startup)}`);
        } else if (body.codeUrl !== undefined) {
          await hasFile('codeUrl', body.startup, codeKind);
        }
      }
      break;
    }
    case 'CUSTOM':
      need('mirrorUrl', 'with type CUSTOM');
      await holds('modelPath');
      await holds('codeUrl');
      break;
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
}

/** Throws 409 / 4009 when a service uses one of the versions. */
function refuseInUse(store: Store, versionIds: readonly number[]): void {
  for (const versionId of versionIds) {
    const user = store.services.usersOf(versionId)[0];
    if (user) {
      throw conflict(
        `model version ${versionId} is used by service ${user.serviceId} (${user.serviceName}, ${user.status}): ` +
          'delete the service or update it to another model version first',
      );
    }
  }
}

/** Handlers of the model endpoints. */
export function modelHandlers(
  deps: ModelDeps,
): Pick<
  Handlers,
  | 'createModel'
  | 'createModelVersion'
  | 'listModels'
  | 'getModel'
  | 'getModelVersion'
  | 'deleteModel'
  | 'deleteModelVersion'
> {
  const { store, s3 } = deps;
  const encode = (body: ModelCreate) => ModelCreate.encode(body) as Record<string, unknown>;

  return {
    async createModel({ body, signal }) {
      if (store.models.findModel(body.name)) {
        throw platformError(ERROR_CODES.MODEL_EXISTS, `a model named ${body.name} exists`, 409);
      }
      await checkModel(body, s3, signal);
      const created = store.models.createModel(body.name, body.description, {
        version: body.version,
        spec: encode(body),
      });
      if (!created) throw platformError(ERROR_CODES.MODEL_EXISTS, `a model named ${body.name} exists`, 409);
      return { id: created.modelId, versionId: created.versionId };
    },

    async createModelVersion({ params, body, signal }) {
      const model = store.models.getModel(params.modelId);
      if (!model) throw notFound(`model ${params.modelId}`);
      const named = { ...body, name: model.name };
      await checkModel(named, s3, signal);
      const versionId = store.models.createVersion(model.id, { version: body.version, spec: encode(named) });
      if (versionId === undefined) throw notFound(`model ${params.modelId}`);
      return { id: model.id, versionId };
    },

    listModels() {
      const models: ModelSummary[] = store.models.listModels().map((model) => {
        const latest = store.models.listVersions(model.id).at(-1);
        return {
          id: model.id,
          name: model.name,
          type: latest ? storedModelCreate(latest).type : undefined,
          description: model.description,
          createdAt: iso(model.createdAt),
          latestVersionId: latest?.id,
        };
      });
      return { models };
    },

    getModel({ params }) {
      const model = store.models.getModel(params.modelId);
      if (!model) throw notFound(`model ${params.modelId}`);
      const versions = store.models.listVersions(model.id);
      const latest = versions.at(-1);
      return {
        id: model.id,
        name: model.name,
        type: latest ? storedModelCreate(latest).type : undefined,
        description: model.description,
        createdAt: iso(model.createdAt),
        versions: versions.map(versionDetail),
      };
    },

    getModelVersion({ params }) {
      const version = store.models.getVersion(params.versionId);
      if (!version) throw notFound(`model version ${params.versionId}`);
      return versionDetail(version);
    },

    deleteModel({ params }) {
      const model = store.models.getModel(params.modelId);
      if (!model) throw notFound(`model ${params.modelId}`);
      refuseInUse(
        store,
        store.models.listVersions(model.id).map((v) => v.id),
      );
      store.models.deleteModel(model.id);
      return {};
    },

    deleteModelVersion({ params }) {
      const version = store.models.getVersion(params.versionId);
      if (!version) throw notFound(`model version ${params.versionId}`);
      refuseInUse(store, [version.id]);
      store.models.deleteVersion(version.id);
      return {};
    },
  };
}
