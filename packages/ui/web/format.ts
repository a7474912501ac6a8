/**
 * How times, durations and sizes read on the page.
 * @module
 */

/** A timestamp as the platform sends it (ms or s since the epoch, or an ISO string) in ms; `undefined` if none. */
export function toMs(time: string | number | undefined): number | undefined {
  if (time === undefined || time === '') return undefined;
  if (typeof time === 'number') return time < 1e11 ? time * 1000 : time;
  const parsed = /^\d+(\.\d+)?$/.test(time) ? toMs(Number(time)) : Date.parse(time);
  return parsed === undefined || Number.isNaN(parsed) ? undefined : parsed;
}

/** `2024-05-01 14:03:09`, in local time; `–` for none. */
export function formatTime(time: string | number | undefined): string {
  const ms = toMs(time);
  if (ms === undefined) return '–';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `1h 02m`, `3m 07s`, `12s`; `–` without a start. */
export function formatDuration(startMs: number | undefined, endMs: number | undefined): string {
  if (startMs === undefined || endMs === undefined) return '–';
  const s = Math.max(0, Math.round((endMs - startMs) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** `1.5 GiB`. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** Statuses after which a training version does not change. */
export const TERMINAL_TRAIN = new Set(['FINISH', 'STARTING_FAIL', 'TRAINING_FAIL', 'STOPPED']);

/** Whether a training status is known and not terminal (the version still runs). */
export function isRunning(status: string | undefined): boolean {
  return status !== undefined && !TERMINAL_TRAIN.has(status);
}

/** Which colour family a status belongs to. */
export function statusTone(status: string | undefined): 'ok' | 'run' | 'wait' | 'fail' | 'off' {
  switch (status) {
    case 'FINISH':
    case 'RUNNING':
    case 'READY':
      return 'ok';
    case 'TRAINING':
    case 'DOWNLOAD_DATA':
    case 'UPLOAD_OUTPUT':
      return 'run';
    case 'STARTING':
    case 'DEPLOYING':
    case 'PENDING':
    case 'STOPPING':
      return 'wait';
    case 'STARTING_FAIL':
    case 'TRAINING_FAIL':
    case 'FAILED':
      return 'fail';
    default:
      return 'off';
  }
}
