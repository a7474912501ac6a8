/**
 * The service routes: deploy, list and read services, start, stop, update and
 * delete them, and page or long-poll their instances' log.
 *
 * Decisions a client can see:
 * - a create or update is checked in one 400 naming each field: every
 *   `serviceModels[i].modelVersionId` must exist (and appear once), every
 *   `resourceId` must be a PREDICT machine spec, and the weights must add up to
 *   more than 0 (they are relative shares; the SDK keeps them at 100 in total).
 *   Machine specs and pools are recorded, not enforced: instances run on this host;
 * - a name clash (create or rename) is 409 / 4009;
 * - create answers at once with `{ id }` (status DEPLOYING), start and stop answer
 *   at once and the status follows (see `serving/manager.ts` for the rules);
 *   delete answers once the instances are gone;
 * - the detail's `accessAddress` is the gateway's base URL: predictions go to
 *   `POST {accessAddress}/ModelMaker/predict`; each service model lists its
 *   `instances` (`index` — the `instance` of log lines —, `port`, `pid`, `status`
 *   STARTING | READY | CRASHED | STOPPED, `restarts`, `reason`);
 * - the log is the training log's shape (`instance` = the instance index); a long
 *   poll returns early once the service is STOPPED or FAILED.
 * @module
 */
import type { ServiceModelSpec } from 'modelmaker';
import { resourceSpec } from '../../catalog.js';
import type { ServingManager } from '../../serving/manager.js';
import type { ServiceModelRecord, ServiceRecord } from '../../store/services.js';
import type { Store } from '../../store/store.js';
import type { ChangeHub } from '../changeHub.js';
import { type LogLimits, logAnswer, logQueryOf, longPollLog, pageAt } from '../longPoll.js';
import { conflict, invalid, notFound } from '../problem.js';
import type { Handlers } from '../router.js';
import { iso } from './training.js';

/** What the service routes work with. */
export interface ServiceDeps {
  readonly store: Store;
  readonly serving: ServingManager;
  /** Wakes log long polls of a service (its own hub: service ids are not version ids). */
  readonly hub: ChangeHub;
  readonly logLimits?: LogLimits;
}

/** Statuses after which no log line comes until someone starts the service. */
const QUIET_STATUSES = new Set(['STOPPED', 'FAILED']);

/**
 * Checks the service models of a create or update body and returns them as stored.
 *
 * @throws HttpProblem 400 / 4000 listing every problem.
 */
function checkServiceModels(store: Store, models: readonly ServiceModelSpec[]): ServiceModelRecord[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  models.forEach((m, i) => {
    const field = `serviceModels[${i}]`;
    if (!store.models.getVersion(m.modelVersionId)) {
      problems.push(`${field}.modelVersionId: no model version ${m.modelVersionId}`);
    } else if (seen.has(m.modelVersionId)) {
      problems.push(`${field}.modelVersionId: model version ${m.modelVersionId} is listed twice`);
    }
    seen.add(m.modelVersionId);
    if (resourceSpec(m.resourceId)?.env !== 'PREDICT') {
      problems.push(`${field}.resourceId: no PREDICT resource ${m.resourceId}`);
    }
  });
  if (models.reduce((sum, m) => sum + m.weight, 0) <= 0) {
    problems.push('serviceModels: the weights add up to 0, so no model would get traffic');
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
  return models.map((m) => ({
    modelVersionId: m.modelVersionId,
    weight: m.weight,
    resourceId: m.resourceId,
    instanceCount: m.instanceCount,
    spec: { ...m },
  }));
}

/** Handlers of the service endpoints. */
export function serviceHandlers(
  deps: ServiceDeps,
): Pick<
  Handlers,
  | 'createService'
  | 'listServices'
  | 'getService'
  | 'startService'
  | 'stopService'
  | 'updateService'
  | 'deleteService'
  | 'getServiceLog'
> {
  const { store, serving, hub } = deps;

  const service = (id: number): ServiceRecord => {
    const found = store.services.get(id);
    if (!found) throw notFound(`service ${id}`);
    return found;
  };

  const detail = (record: ServiceRecord) => {
    const views = serving.instanceViews(record.id);
    const serviceModels = record.models.map((m) => {
      const version = store.models.getVersion(m.modelVersionId);
      return {
        ...m.spec,
        modelVersionId: m.modelVersionId,
        weight: m.weight,
        resourceId: m.resourceId,
        instanceCount: m.instanceCount,
        modelId: version?.modelId,
        modelName: version?.modelName,
        instances: (views?.get(m.modelVersionId) ?? []).map((view) => ({
          index: view.index,
          port: view.port,
          pid: view.pid,
          status: view.status,
          restarts: view.restarts,
          reason: view.reason,
          startedAt: iso(view.startedAt),
        })),
      };
    });
    return {
      id: record.id,
      name: record.name,
      type: 'ONLINE_SERVICE',
      status: record.status,
      reason: record.reason,
      accessAddress: serving.accessAddressOf(record.id),
      serviceModels,
      createdAt: iso(record.createdAt),
      updatedAt: iso(record.updatedAt),
    };
  };

  return {
    async createService({ body }) {
      const models = checkServiceModels(store, body.serviceModels);
      const id = await serving.create(body.name, models);
      if (id === undefined) throw conflict(`a service named ${body.name} exists`);
      return { id };
    },

    listServices() {
      return {
        services: store.services.list().map((record) => ({
          id: record.id,
          name: record.name,
          type: 'ONLINE_SERVICE',
          status: record.status,
          reason: record.reason,
          accessAddress: serving.accessAddressOf(record.id),
          createdAt: iso(record.createdAt),
        })),
      };
    },

    getService({ params }) {
      return detail(service(params.id));
    },

    startService({ params }) {
      service(params.id);
      const problem = serving.start(params.id);
      if (problem) throw conflict(problem);
      return {};
    },

    stopService({ params }) {
      service(params.id);
      serving.stop(params.id);
      return {};
    },

    updateService({ params, body }) {
      service(params.id);
      const models = body.serviceModels ? checkServiceModels(store, body.serviceModels) : undefined;
      const problem = serving.update(params.id, { name: body.name, models });
      if (problem) throw conflict(problem);
      return {};
    },

    async deleteService({ params }) {
      service(params.id);
      await serving.remove(params.id);
      return {};
    },

    async getServiceLog({ params, query, signal }) {
      const id = params.id;
      const wanted = logQueryOf(query);
      service(id);
      const page = await longPollLog(
        {
          id,
          hub,
          page: (cursor, count) => pageAt(store.serviceLogs, id, cursor, count),
          quiet: () => {
            const current = store.services.get(id);
            return !current || QUIET_STATUSES.has(current.status);
          },
        },
        wanted,
        deps.logLimits,
        signal,
      );
      return logAnswer(page, (stream) => (stream === 'stderr' ? 'stderr' : 'stdout'));
    },
  };
}
