/**
 * Online services: the create and update bodies, list and detail views. Traffic is
 * split across a service's models by `weight`, and across a model's instances evenly.
 * @module
 */
import * as t from 'io-ts';
import { ResourcePoolType } from './catalog.js';
import {
  Count,
  EnvVar,
  Id,
  IdFromString,
  Integer,
  NameValue,
  NonEmptyString,
  NonNegativeInt,
  nonEmptyArray,
  openEnum,
  optionalFields,
  strict,
  Timestamp,
} from './common.js';

/** Every service status the contract names. */
export const KNOWN_SERVICE_STATUSES = ['DEPLOYING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED'] as const;
/** A service status the contract names. */
export type KnownServiceStatus = (typeof KNOWN_SERVICE_STATUSES)[number];

/** The statuses a service stays in until someone acts: a deploy or stop waiter ends on these. */
export const SETTLED_SERVICE_STATUSES: readonly KnownServiceStatus[] = ['RUNNING', 'STOPPED', 'FAILED'];

/** True for `RUNNING`, `STOPPED` and `FAILED`; false for anything else, unknown statuses included. */
export function isSettledServiceStatus(status: string): boolean {
  return (SETTLED_SERVICE_STATUSES as readonly string[]).includes(status);
}

/** A service's status: one of {@link KNOWN_SERVICE_STATUSES} or any other string. */
export const ServiceStatus = openEnum('ServiceStatus', KNOWN_SERVICE_STATUSES);
/** A service's status (open). */
export type ServiceStatus = t.TypeOf<typeof ServiceStatus>;

/** The only service type: `'ONLINE_SERVICE'`. */
export const ServiceType = t.literal('ONLINE_SERVICE');
/** `'ONLINE_SERVICE'`. */
export type ServiceType = t.TypeOf<typeof ServiceType>;

/**
 * One model of a service, as created or updated: the model version, its share of the
 * traffic (`weight`, an integer ≥ 0), the machine spec and 1..10 instances.
 */
export const ServiceModelSpec = t.intersection([
  t.type({ modelVersionId: Id, weight: NonNegativeInt, resourceId: Id, instanceCount: Count }),
  optionalFields({ resourcePoolType: ResourcePoolType, envs: t.array(EnvVar) }),
]);
/** One model of a service request. */
export type ServiceModelSpec = t.TypeOf<typeof ServiceModelSpec>;

/**
 * The body of `POST /v1/service`, and what the local platform validates it with:
 * `type` must be `ONLINE_SERVICE`, `serviceModels` non-empty. Unknown fields are stripped.
 */
export const ServiceCreate = strict(
  t.type({ name: NonEmptyString, type: ServiceType, serviceModels: nonEmptyArray(ServiceModelSpec) }),
  'ServiceCreate',
);
/** The body that creates a service. */
export type ServiceCreate = t.TypeOf<typeof ServiceCreate>;

/** `{ id }` of the service just created. */
export const ServiceCreated = t.type({ id: Id });
/** `{ id }`. */
export type ServiceCreated = t.TypeOf<typeof ServiceCreated>;

/**
 * The body of `PUT /v1/service/{id}` (extension shape): a new name and/or a new set of
 * service models (weights, instance counts). Both optional; `null` counts as absent.
 */
export const ServiceUpdate = strict(
  optionalFields({ name: NonEmptyString, serviceModels: nonEmptyArray(ServiceModelSpec) }),
  'ServiceUpdate',
);
/** The body that updates a service. */
export type ServiceUpdate = t.TypeOf<typeof ServiceUpdate>;

/** One serving instance of a service model (extension): rank, status (open text), failure reason. */
export const ServiceInstance = optionalFields({
  index: NonNegativeInt,
  status: t.string,
  reason: t.string,
  exitCode: Integer,
  startedAt: Timestamp,
});
/** One serving instance. */
export type ServiceInstance = t.TypeOf<typeof ServiceInstance>;

/** A service model as a detail reports it (extension): the spec, leniently, plus its state and instances. */
export const ServiceModelState = optionalFields({
  modelVersionId: Id,
  weight: t.number,
  resourceId: Id,
  instanceCount: NonNegativeInt,
  resourcePoolType: t.string,
  envs: t.array(NameValue),
  status: ServiceStatus,
  reason: t.string,
  instances: t.array(ServiceInstance),
});
/** A service model's state. */
export type ServiceModelState = t.TypeOf<typeof ServiceModelState>;

/** A service in the list: `id` plus what a server sends (extension). */
export const ServiceSummary = t.intersection([
  t.type({ id: Id }),
  optionalFields({
    name: t.string,
    type: t.string,
    status: ServiceStatus,
    accessAddress: t.string,
    createdAt: Timestamp,
  }),
]);
/** A service in the list. */
export type ServiceSummary = t.TypeOf<typeof ServiceSummary>;

const serviceArray = t.array(ServiceSummary);
const serviceListObject = t.type({ services: serviceArray });

/**
 * `GET /v1/service`. The contract says only "service list": the key is `services`
 * (what the local platform sends), and a bare array is accepted too. Decodes to
 * `{ services }` either way; encodes to `{ services }`.
 */
export const ServiceList = new t.Type<
  t.TypeOf<typeof serviceListObject>,
  t.OutputOf<typeof serviceListObject>
>(
  'ServiceList',
  serviceListObject.is,
  (u, c) => {
    if (!Array.isArray(u)) return serviceListObject.validate(u, c);
    const items = serviceArray.validate(u, t.appendContext(c, '', serviceArray, u));
    return items._tag === 'Left' ? items : t.success({ services: items.right });
  },
  serviceListObject.encode,
);
/** `{ services }`. */
export type ServiceList = t.TypeOf<typeof ServiceList>;

/**
 * `GET /v1/service/{id}`: "service detail, with its access address". Every field is an
 * extension and optional: identity, `status`, `accessAddress` (base URL for
 * `POST {accessAddress}/ModelMaker/predict`), `serviceModels` with per-instance state,
 * `reason` (why it failed).
 */
export const ServiceDetail = optionalFields({
  id: Id,
  name: t.string,
  type: t.string,
  status: ServiceStatus,
  accessAddress: t.string,
  serviceModels: t.array(ServiceModelState),
  reason: t.string,
  createdAt: Timestamp,
});
/** A service's detail. */
export type ServiceDetail = t.TypeOf<typeof ServiceDetail>;

/** `{id}` in a service path. */
export const ServiceIdParams = t.type({ id: IdFromString });
/** `{ id }`. */
export type ServiceIdParams = t.TypeOf<typeof ServiceIdParams>;
