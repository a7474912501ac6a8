/**
 * Every training job with its latest version's live status, duration and
 * reason; filter by text and state; stop or delete (after a confirmation).
 * @module
 */
import { useMemo, useState } from 'preact/hooks';
import type { JobRow } from '../../src/feeds/jobs.js';
import { useEvents } from '../api.js';
import {
  DeleteButton,
  deletion,
  ErrorNotice,
  GridTable,
  PageHead,
  Panel,
  StatusBadge,
  useActions,
  useNow,
  versionStop,
} from '../components/common.js';
import { formatDuration, formatTime, isRunning, statusTone, toMs } from '../format.js';

/** The state filter's choices: all, or one colour family of statuses. */
const STATES = [
  ['all', 'All'],
  ['active', 'Active'],
  ['ok', 'Finished'],
  ['fail', 'Failed'],
  ['off', 'Stopped'],
] as const;

function inState(row: JobRow, state: string): boolean {
  if (state === 'all') return true;
  if (state === 'active') return isRunning(row.status);
  return statusTone(row.status) === state;
}

export function JobsPage() {
  const [rows, setRows] = useState<JobRow[] | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [text, setText] = useState('');
  const [state, setState] = useState('all');
  const stream = useEvents('/api/jobs/events', {
    jobs: (data: JobRow[]) => {
      setRows(data);
      setFailure(undefined);
    },
    failure: (data: { message: string }) => setFailure(data.message),
  });
  const now = useNow();
  const { ask, view } = useActions();

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (rows ?? []).filter(
      (row) =>
        inState(row, state) &&
        (needle === '' ||
          [row.id, row.name, row.type, row.status, row.latestVersionId, row.reason].some((v) =>
            String(v ?? '')
              .toLowerCase()
              .includes(needle),
          )),
    );
  }, [rows, text, state]);
  const active = (rows ?? []).filter((row) => isRunning(row.status)).length;

  const stop = (row: JobRow) =>
    ask(
      versionStop(
        row.latestVersionId!,
        `The training process of ${row.name} (version ${row.latestVersionId}) is stopped; what it wrote so far stays.`,
      ),
    );
  const remove = (row: JobRow) =>
    ask(
      deletion(
        `job ${row.id}`,
        `The job ${row.name} and all its versions are deleted from the platform. This cannot be undone.`,
        `/api/jobs/${row.id}/delete`,
      ),
    );

  return (
    <>
      <PageHead title="Training jobs" stream={stream} />
      {view}
      <ErrorNotice text={failure} />
      <Panel
        title={
          rows === undefined
            ? 'Loading…'
            : `${rows.length} job${rows.length === 1 ? '' : 's'}${active ? ` · ${active} active` : ''}`
        }
        actions={
          <>
            <input
              type="search"
              placeholder="Filter by name, id, status…"
              value={text}
              onInput={(e) => setText((e.target as HTMLInputElement).value)}
              aria-label="filter jobs"
            />
            <fieldset class="segmented" aria-label="state">
              {STATES.map(([id, label]) => (
                <button type="button" key={id} class={state === id ? 'on' : ''} onClick={() => setState(id)}>
                  {label}
                </button>
              ))}
            </fieldset>
          </>
        }
      >
        <GridTable
          name="jobs"
          columns={['Job', 'Type', 'Version', 'Status', 'Started', ['Duration', 'num'], 'Reason']}
        >
          {shown.map((row) => {
            const running = isRunning(row.status);
            const start = toMs(row.startedAt ?? row.createdAt);
            const end = running ? now : toMs(row.finishedAt);
            return (
              <tr key={row.id} data-job={row.id}>
                <td>
                  <a href={`#/jobs/${row.id}`} class="strong">
                    {row.name}
                  </a>
                  <span class="muted"> #{row.id}</span>
                </td>
                <td class="muted">{row.type ?? '–'}</td>
                <td>
                  {row.latestVersionId === undefined ? (
                    '–'
                  ) : (
                    <a href={`#/versions/${row.latestVersionId}`}>v{row.latestVersionId}</a>
                  )}
                </td>
                <td>
                  <StatusBadge status={row.status} />
                </td>
                <td class="muted nowrap">{formatTime(row.startedAt ?? row.createdAt)}</td>
                <td class="num nowrap">{formatDuration(start, end)}</td>
                <td
                  class={statusTone(row.status) === 'fail' ? 'reason' : 'reason neutral'}
                  title={row.reason}
                >
                  {row.reason ?? ''}
                  {row.reason === undefined && row.exitCode !== undefined && row.exitCode !== 0 && (
                    <span class="muted"> (exit {row.exitCode})</span>
                  )}
                </td>
                <td class="actions">
                  {running && row.latestVersionId !== undefined && (
                    <button type="button" class="small" onClick={() => stop(row)}>
                      Stop
                    </button>
                  )}
                  <DeleteButton small onClick={() => remove(row)} />
                </td>
              </tr>
            );
          })}
        </GridTable>
        {rows !== undefined && shown.length === 0 && (
          <p class="empty">
            {rows.length === 0
              ? 'No training jobs yet. Start one with modelmaker train.'
              : 'No job matches the filter.'}
          </p>
        )}
      </Panel>
    </>
  );
}
