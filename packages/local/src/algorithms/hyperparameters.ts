/**
 * Reading the preset algorithms' hyperparameters: the `MODELMAKER_HYPERPARAMETERS`
 * object (values are text or numbers on the wire), with named defaults and range checks
 * that fail with a {@link PresetInputError} naming the parameter.
 * @module
 */
import { PresetInputError } from './dataset.js';

/** Hyperparameters by name, as given. */
export type Hyperparameters = Readonly<Record<string, string | number>>;

/** A number ≥ `min` (an integer when `integer`), or `fallback` when absent or empty. */
export function numberParam(
  hp: Hyperparameters,
  name: string,
  fallback: number,
  { min = Number.NEGATIVE_INFINITY, integer = false }: { min?: number; integer?: boolean } = {},
): number {
  const raw = hp[name];
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new PresetInputError(
      `hyperparameter ${name} must be ${integer ? 'an integer' : 'a number'}${min > Number.NEGATIVE_INFINITY ? ` ≥ ${min}` : ''}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** A text value, or undefined when absent or empty. */
export function textParam(hp: Hyperparameters, name: string): string | undefined {
  const raw = hp[name];
  return raw === undefined || raw === '' ? undefined : String(raw);
}

/** Parses `MODELMAKER_HYPERPARAMETERS` (a JSON object); `{}` when unset. */
export function parseHyperparameters(json: string | undefined): Hyperparameters {
  if (json === undefined || json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new PresetInputError('MODELMAKER_HYPERPARAMETERS is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PresetInputError('MODELMAKER_HYPERPARAMETERS is not a JSON object');
  }
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = value;
  }
  return out;
}
