/**
 * `jobs watch` without a terminal: log lines as they come, `[watch] …` lines for the
 * rest; and with `--json`, one NDJSON line per event.
 * @module
 */
import { WATCH_PLAIN_RESOURCE_EVERY_MS } from '../defaults.js';
import { formatBytes, jsonText, neutralise, type Output, oneLine } from '../output.js';
import type { WatchEvent } from './events.js';
import { numberText } from './numberText.js';

/** Writes events as plain lines (no terminal): log lines as they are, the rest as `[watch] …` lines. */
export class PlainWatch {
  readonly #lastResource = new Map<number, number>();
  readonly #out: Output;
  readonly #now: () => number;

  constructor(out: Output, now: () => number = Date.now) {
    this.#out = out;
    this.#now = now;
  }

  /** Prints one event (resource samples at most every {@link WATCH_PLAIN_RESOURCE_EVERY_MS} per instance). */
  next(event: WatchEvent): void {
    switch (event.type) {
      case 'status':
        this.#out.line(
          `[watch] status ${oneLine(event.status)}${event.reason === undefined ? '' : ` (${oneLine(event.reason)})`}`,
        );
        return;
      case 'line':
        this.#out.line(neutralise(event.line.content));
        return;
      case 'gap':
        this.#out.line(`[watch] log lines ${event.from}..${event.to} are missing`);
        return;
      case 'metric':
        this.#out.line(
          `[watch] metric ${oneLine(event.name)}=${numberText(event.value)}${event.step === undefined ? '' : ` step=${event.step}`}`,
        );
        return;
      case 'resource': {
        const last = this.#lastResource.get(event.instance);
        if (last !== undefined && this.#now() - last < WATCH_PLAIN_RESOURCE_EVERY_MS) return;
        this.#lastResource.set(event.instance, this.#now());
        this.#out.line(
          `[watch] instance ${event.instance}: cpu ${event.cpu.toFixed(2)} cores, memory ${formatBytes(event.memory)}`,
        );
        return;
      }
    }
  }
}

/** Writes events as NDJSON, one per line. */
export function jsonWatch(out: Output): (event: WatchEvent) => void {
  return (event) => out.line(jsonText(event));
}
