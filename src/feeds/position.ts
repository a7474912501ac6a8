/**
 * The log position an event of the SDK's streams carries, if any.
 * @module
 */

/**
 * The log position of `value`: the line id of a log line (`LogLine`), of a
 * `logs$` line event (`{ type: 'line', line }`) or of a `fit` log event
 * (`{ type: 'log', line }`); the last missing id of a gap event
 * (`{ type: 'gap', from, to }`), since the gap reports everything up to it.
 * `undefined` for any other value (status changes, metric and resource samples).
 *
 * A client that saw position `p` resumes from `p + 1`.
 */
export function logPosition(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as {
    readonly type?: unknown;
    readonly line?: { readonly id?: unknown };
    readonly to?: unknown;
    readonly id?: unknown;
    readonly content?: unknown;
  };
  if (event.type === 'line' || event.type === 'log') {
    const id = event.line?.id;
    return typeof id === 'number' ? id : undefined;
  }
  if (event.type === 'gap') return typeof event.to === 'number' ? event.to : undefined;
  if (event.type === undefined && typeof event.id === 'number' && typeof event.content === 'string') {
    return event.id;
  }
  return undefined;
}
