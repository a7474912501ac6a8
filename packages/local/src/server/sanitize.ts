/**
 * The one place that makes a response body safe for every client of the
 * contract, the Python SDK included (it evaluates bodies as Python literals,
 * where `true`, `false` and `null` are not defined): booleans become 1/0,
 * `null`, `undefined` and non-finite numbers (which JSON would turn into
 * `null`) are left out, dates become ISO text. Every response goes through it.
 * @module
 */

/** A JSON value free of `true`, `false` and `null`. */
export type SafeJson = string | number | SafeJson[] | { [key: string]: SafeJson };

function clean(value: unknown): SafeJson | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value ? 1 : 0;
    case 'bigint':
      return Number(value);
    case 'object': {
      if (value === null) return undefined;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      if (Array.isArray(value)) {
        const items: SafeJson[] = [];
        for (const item of value) {
          const cleaned = clean(item);
          if (cleaned !== undefined) items.push(cleaned);
        }
        return items;
      }
      const out: { [key: string]: SafeJson } = {};
      for (const [key, field] of Object.entries(value)) {
        const cleaned = clean(field);
        if (cleaned !== undefined) out[key] = cleaned;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * Returns `value` as JSON-ready data without booleans or nulls: flags as 0/1,
 * absent fields dropped (also from arrays). A top-level `null`/`undefined` gives `{}`.
 */
export function sanitizeBody(value: unknown): SafeJson {
  return clean(value) ?? {};
}

/** `JSON.stringify` of {@link sanitizeBody}. */
export function serializeBody(value: unknown): string {
  return JSON.stringify(sanitizeBody(value));
}
