/**
 * Machines a job runs on: the resource pool and, in a personal pool, the
 * `customResource` specification that replaces a catalog machine type.
 * @module
 */
import {
  defined,
  flag,
  integer,
  isAbsent,
  kindOf,
  type Presence,
  type Problems,
  record,
  text,
} from './rules.js';

/** The pools a job or a service model can run in; `PUBLIC_POOL` is the platform's default. */
export const RESOURCE_POOL_TYPES = ['PUBLIC_POOL', 'PERSONAL_POOL'] as const;
/** A resource pool. */
export type ResourcePoolType = (typeof RESOURCE_POOL_TYPES)[number];
/** The pool used when `resourcePoolType` is left out. */
export const DEFAULT_RESOURCE_POOL_TYPE: ResourcePoolType = 'PUBLIC_POOL';

/**
 * A machine specification in a personal pool. The seed and the contract name the keys
 * only; the types are this SDK's decision, as loose as the wire codec where the unit is
 * unknown: `cpu`, `memory`, `requestCpu`, `requestMemory` and `gpuz` are a number > 0
 * (`gpuz` >= 0) or a non-empty string such as `'8Gi'`, kept as given; `gpuCount` is a
 * whole number (0 for a CPU machine, where `gpuModel` may be `''`); `shareGpu` a flag.
 * When a request and its limit are both numbers, the request may not exceed the limit.
 */
export interface CustomResource {
  readonly cpu: number | string;
  readonly memory: number | string;
  readonly gpuModel: string;
  readonly gpuCount: number;
  readonly requestCpu?: number | string;
  readonly requestMemory?: number | string;
  readonly shareGpu?: boolean | 0 | 1;
  readonly gpuz?: number | string;
}

/** `customResource` as the request body carries it (`shareGpu` as a boolean; encoded to 0/1 on the wire). */
export interface WireCustomResource {
  cpu: number | string;
  memory: number | string;
  gpuModel: string;
  gpuCount: number;
  requestCpu?: number | string;
  requestMemory?: number | string;
  shareGpu?: boolean;
  gpuz?: number | string;
}

const KEYS = [
  'cpu',
  'memory',
  'gpuModel',
  'gpuCount',
  'requestCpu',
  'requestMemory',
  'shareGpu',
  'gpuz',
] as const;

/** A quantity: a number > 0 (>= 0 with `orZero`), or a non-empty string such as `'8Gi'`, kept as given. */
function quantity(
  problems: Problems,
  field: string,
  value: unknown,
  options: Presence & { readonly orZero?: boolean } = {},
): number | string | undefined {
  if (isAbsent(value)) {
    if (options.required) problems.push({ field, message: 'required' });
    return undefined;
  }
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value) && (value > 0 || (options.orZero && value === 0))) {
    return value;
  }
  const bound = options.orZero ? '>= 0' : '> 0';
  const got = typeof value === 'number' ? String(value) : kindOf(value);
  problems.push({
    field,
    message: `expected a number ${bound} or a non-empty string such as 8Gi, got ${got}`,
  });
  return undefined;
}

function notAbove(
  problems: Problems,
  field: string,
  request: number | string | undefined,
  limitField: string,
  limit: number | string | undefined,
): number | string | undefined {
  if (typeof request === 'number' && typeof limit === 'number' && request > limit) {
    problems.push({ field, message: `expected at most ${limitField} (${limit}), got ${request}` });
    return undefined;
  }
  return request;
}

/**
 * Validates a personal pool's `customResource`: the four required keys, the four
 * optional ones, and nothing else (an unknown key is a problem naming it).
 * `presence` says whether the object itself is required (in PERSONAL_POOL).
 */
export function customResource(
  problems: Problems,
  field: string,
  value: unknown,
  presence: Presence,
): WireCustomResource | undefined {
  const fields = record(problems, field, value, KEYS, {
    ...presence,
    shape: '{ cpu, memory, gpuModel, gpuCount, requestCpu?, requestMemory?, shareGpu?, gpuz? }',
  });
  if (fields === undefined) return undefined;
  const before = problems.length;
  const at = (key: string) => `${field}.${key}`;
  const cpu = quantity(problems, at('cpu'), fields.cpu, { required: true });
  const memory = quantity(problems, at('memory'), fields.memory, { required: true });
  const gpuCount = integer(problems, at('gpuCount'), fields.gpuCount, { required: true, min: 0 });
  const gpuModel = text(problems, at('gpuModel'), fields.gpuModel, {
    required: true,
    nonEmpty: gpuCount !== 0,
  });
  const requestCpu = notAbove(
    problems,
    at('requestCpu'),
    quantity(problems, at('requestCpu'), fields.requestCpu),
    at('cpu'),
    cpu,
  );
  const requestMemory = notAbove(
    problems,
    at('requestMemory'),
    quantity(problems, at('requestMemory'), fields.requestMemory),
    at('memory'),
    memory,
  );
  const shareGpu = flag(problems, at('shareGpu'), fields.shareGpu);
  const gpuz = quantity(problems, at('gpuz'), fields.gpuz, { orZero: true });
  if (
    problems.length > before ||
    cpu === undefined ||
    memory === undefined ||
    gpuModel === undefined ||
    gpuCount === undefined
  ) {
    return undefined;
  }
  return defined({ cpu, memory, gpuModel, gpuCount, requestCpu, requestMemory, shareGpu, gpuz });
}
