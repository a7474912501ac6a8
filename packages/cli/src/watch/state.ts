/**
 * What the live view of `jobs watch` knows so far, and how each event changes it: a
 * pure reducer (the state is never changed in place).
 * @module
 */
import type { ResourceSample } from 'modelmaker';
import { WATCH_LOG_TAIL_LINES, WATCH_MAX_METRIC_POINTS } from '../defaults.js';
import { neutralise } from '../output.js';
import type { WatchEvent, WatchStatusEvent } from './events.js';

/** What the live view knows so far. */
export interface WatchState {
  readonly versionId: number;
  readonly status?: WatchStatusEvent | undefined;
  /** The last log lines, neutralised. */
  readonly tail: readonly string[];
  /** Each metric's values in order (halved when too many: every other point kept, the newest among them). */
  readonly metrics: ReadonlyMap<string, readonly number[]>;
  /** The latest sample of each instance. */
  readonly resources: ReadonlyMap<number, ResourceSample>;
  /** Log lines reported missing. */
  readonly missing: number;
}

/** The state before any event. */
export function initialState(versionId: number): WatchState {
  return { versionId, tail: [], metrics: new Map(), resources: new Map(), missing: 0 };
}

/** The state after one event (a new object; the old one is not changed). */
export function reduce(state: WatchState, event: WatchEvent): WatchState {
  switch (event.type) {
    case 'status':
      return { ...state, status: event };
    case 'line':
      return { ...state, tail: [...state.tail, neutralise(event.line.content)].slice(-WATCH_LOG_TAIL_LINES) };
    case 'gap':
      return { ...state, missing: state.missing + (event.to - event.from + 1) };
    case 'metric': {
      if (!Number.isFinite(event.value)) return state;
      const metrics = new Map(state.metrics);
      let values = [...(metrics.get(event.name) ?? []), event.value];
      if (values.length > WATCH_MAX_METRIC_POINTS) {
        // every other point, counted from the newest: the value shown as the latest stays the latest
        const newest = values.length - 1;
        values = values.filter((_, i) => (newest - i) % 2 === 0);
      }
      metrics.set(event.name, values);
      return { ...state, metrics };
    }
    case 'resource': {
      const resources = new Map(state.resources);
      const { type: _type, ...sample } = event;
      resources.set(event.instance, sample);
      return { ...state, resources };
    }
  }
}
