/**
 * Deployment parameters (the seed's `deploy_predictor(...)` arguments, in camelCase)
 * validated and turned into a `POST /v1/service` body, before any network call.
 *
 * Decisions where the seed is silent:
 * - `serviceType` may only be ONLINE_SERVICE, so it defaults to it when left out
 *   (the seed marks it required, but a required parameter with one legal value only
 *   adds a way to fail).
 * - `weight` is a service model's share of the traffic in percent: an integer in
 *   0..100, and the weights of a service add up to 100 (the seed's one-model examples
 *   use 100). A typo such as `[60, 30]` is caught instead of quietly rescaled.
 * - `instanceCount` is an integer in 1..10, as the training counts.
 * - The same `modelVersionId` twice in one service is a problem: one entry would be
 *   the other's traffic under another weight.
 * - Entries keep the wire names (`modelVersionId`, `weight`, `resourceId`,
 *   `instanceCount`, `resourcePoolType`, `envs`); an unknown key is a problem naming it.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js';
import { MAX_INSTANCE_COUNT, MIN_INSTANCE_COUNT, SERVICE_WEIGHT_TOTAL } from '../../defaults.js';
import type { ValidationError } from '../../errors.js';
import type { ServiceCreate } from '../services.js';
import { type NameValue, nameValues } from './pairs.js';
import { RESOURCE_POOL_TYPES, type ResourcePoolType } from './resources.js';
import {
  conclude,
  defined,
  integer,
  isAbsent,
  list,
  noDuplicates,
  oneOf,
  type Problems,
  parameters,
  positiveInteger,
  record,
  text,
} from './rules.js';

/** The only service type. */
export const SERVICE_TYPES = ['ONLINE_SERVICE'] as const;
/** A service type. */
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** One model of a service as the user passes it (wire names, as in the seed). */
export interface ServiceModelParams {
  /** The model version to serve; defaults to the model just created. */
  readonly modelVersionId?: number;
  /** Share of the traffic in percent, 0..100; a service's weights add up to 100. */
  readonly weight: number;
  /** A PREDICT machine id from the catalog. */
  readonly resourceId: number;
  /** Instances, 1..10. */
  readonly instanceCount: number;
  /** PUBLIC_POOL (default) or PERSONAL_POOL. */
  readonly resourcePoolType?: ResourcePoolType;
  /** Environment variables of the serving process `[{ name, value }]`. */
  readonly envs?: readonly NameValue[];
}

/** A service as the user describes it (seed name in brackets). */
export interface DeployParams {
  /** [service_name] */
  readonly serviceName: string;
  /** [service_type] ONLINE_SERVICE, the default and only value. */
  readonly serviceType?: ServiceType;
  /** [service_models] At least one entry. */
  readonly serviceModels: readonly ServiceModelParams[];
}

/** Values the caller fills in for fields the user left out. */
export interface DeployDefaults {
  /** The model version created just before (the seed's `create_model` then `deploy_predictor`). */
  readonly modelVersionId?: number;
}

const KNOWN: readonly (keyof DeployParams)[] = ['serviceName', 'serviceType', 'serviceModels'];
const MODEL_KEYS: readonly (keyof ServiceModelParams)[] = [
  'modelVersionId',
  'weight',
  'resourceId',
  'instanceCount',
  'resourcePoolType',
  'envs',
];

type ServiceModelSpec = ServiceCreate['serviceModels'][number];

function serviceModel(
  problems: Problems,
  at: string,
  entry: unknown,
  defaults: DeployDefaults,
): ServiceModelSpec | undefined {
  const fields = record(problems, at, entry, MODEL_KEYS, {
    required: true,
    shape: '{ modelVersionId?, weight, resourceId, instanceCount, resourcePoolType?, envs? }',
  });
  if (fields === undefined) return undefined;
  const before = problems.length;
  const defaulted = isAbsent(fields.modelVersionId) && !isAbsent(defaults.modelVersionId);
  const modelVersionId = positiveInteger(
    problems,
    `${at}.modelVersionId`,
    defaulted ? defaults.modelVersionId : fields.modelVersionId,
    { required: true, because: '(no model was created before to default it from)' },
  );
  if (defaulted && problems.length > before) {
    const last = problems[problems.length - 1]!;
    problems[problems.length - 1] = { ...last, message: `${last.message} (value from the defaults)` };
  }
  const weight = integer(problems, `${at}.weight`, fields.weight, {
    required: true,
    min: 0,
    max: SERVICE_WEIGHT_TOTAL,
  });
  const resourceId = positiveInteger(problems, `${at}.resourceId`, fields.resourceId, { required: true });
  const instanceCount = integer(problems, `${at}.instanceCount`, fields.instanceCount, {
    required: true,
    min: MIN_INSTANCE_COUNT,
    max: MAX_INSTANCE_COUNT,
  });
  const resourcePoolType = oneOf(
    problems,
    `${at}.resourcePoolType`,
    fields.resourcePoolType,
    RESOURCE_POOL_TYPES,
  );
  const envs = nameValues(problems, `${at}.envs`, fields.envs, { envNames: true });
  if (
    problems.length > before ||
    modelVersionId === undefined ||
    weight === undefined ||
    resourceId === undefined ||
    instanceCount === undefined
  ) {
    return undefined;
  }
  return defined({ modelVersionId, weight, resourceId, instanceCount, resourcePoolType, envs });
}

/**
 * Validates deployment parameters and builds the `POST /v1/service` body. Each
 * `serviceModels[i].modelVersionId` left out is taken from `defaults.modelVersionId`;
 * missing in both, it is a problem naming `serviceModels[i].modelVersionId`. Every
 * problem is listed at once, each naming its parameter.
 *
 * @returns `Right(body)`, or `Left(ValidationError)`.
 * @example
 * ```ts
 * toServiceCreate({ serviceName: 'iris', serviceModels: [{ weight: 100, resourceId: 500151, instanceCount: 1 }] },
 *   { modelVersionId: 50283 })
 * // Right({ name: 'iris', type: 'ONLINE_SERVICE', serviceModels: [{ modelVersionId: 50283, weight: 100, … }] })
 * ```
 */
export function toServiceCreate(
  params: DeployParams,
  defaults: DeployDefaults = {},
): E.Either<ValidationError, ServiceCreate> {
  const problems: Problems = [];
  const p = parameters(problems, params, KNOWN);

  const name = text(problems, 'serviceName', p.serviceName, { required: true });
  const type = isAbsent(p.serviceType)
    ? SERVICE_TYPES[0]
    : oneOf(problems, 'serviceType', p.serviceType, SERVICE_TYPES);
  const entries = list(problems, 'serviceModels', p.serviceModels, { required: true, nonEmpty: true }) ?? [];
  const models = entries.map((entry, i) => serviceModel(problems, `serviceModels[${i}]`, entry, defaults));
  noDuplicates(
    problems,
    'serviceModels',
    'modelVersionId',
    models.map((model) => model?.modelVersionId),
  );
  const valid = models.filter((model): model is ServiceModelSpec => model !== undefined);
  if (entries.length > 0 && valid.length === entries.length) {
    const total = valid.reduce((sum, model) => sum + model.weight, 0);
    if (total !== SERVICE_WEIGHT_TOTAL) {
      problems.push({
        field: 'serviceModels',
        message: `expected weights adding up to ${SERVICE_WEIGHT_TOTAL} (percent of the traffic), got ${total}`,
      });
    }
  }

  return conclude(problems, (): ServiceCreate => ({ name: name!, type: type!, serviceModels: valid }));
}
