/**
 * One training job: its fields and every version, live; stop or delete a version, delete the job.
 * @module
 */
import type { TrainJobDetail } from 'modelmaker';
import { useState } from 'preact/hooks';
import { useEvents } from '../api.js';
import {
  deletion,
  LiveDot,
  Panel,
  StatusBadge,
  Summary,
  useActions,
  useNow,
  versionStop,
} from '../components/common.js';
import { formatDuration, formatTime, TERMINAL_TRAIN, toMs } from '../format.js';

export function JobPage({ jobId }: { readonly jobId: number }) {
  const [job, setJob] = useState<TrainJobDetail | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const stream = useEvents(`/api/jobs/${jobId}/events`, {
    job: (data: TrainJobDetail) => setJob(data),
    failure: (data: { message: string }) => setFailure(data.message),
  });
  const now = useNow();
  const { ask, view } = useActions();
  const versions = [...(job?.versions ?? [])].sort((a, b) => b.id - a.id);

  return (
    <>
      <div class="page-head">
        <div>
          <a href="#/jobs" class="crumb">
            Training jobs
          </a>
          <h1>
            {job?.name ?? `Job ${jobId}`} <span class="muted">#{jobId}</span>
          </h1>
        </div>
        <LiveDot state={stream} />
        <div class="grow" />
        <button
          type="button"
          class="danger-quiet"
          onClick={() =>
            ask(
              deletion(
                `job ${jobId}`,
                `The job and all ${versions.length} of its versions are deleted. This cannot be undone.`,
                `/api/jobs/${jobId}/delete`,
                () => {
                  location.hash = '#/jobs';
                },
              ),
            )
          }
        >
          Delete job
        </button>
      </div>
      {view}
      {failure && <div class="notice notice-error">{failure}</div>}
      <Summary item={job} />
      <Panel title={`Versions (${versions.length})`}>
        <table class="grid" data-table="versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Name</th>
              <th>Status</th>
              <th>Created</th>
              <th>Finished</th>
              <th class="num">Duration</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => {
              const running = v.status !== undefined && !TERMINAL_TRAIN.has(v.status);
              return (
                <tr key={v.id} data-version={v.id}>
                  <td>
                    <a class="strong" href={`#/versions/${v.id}`}>
                      v{v.id}
                    </a>
                  </td>
                  <td>{v.name ?? '–'}</td>
                  <td>
                    <StatusBadge status={v.status} />
                  </td>
                  <td class="muted nowrap">{formatTime(v.createdAt)}</td>
                  <td class="muted nowrap">{formatTime(v.finishedAt)}</td>
                  <td class="num">{formatDuration(toMs(v.createdAt), running ? now : toMs(v.finishedAt))}</td>
                  <td class="actions">
                    {running && (
                      <button type="button" class="small" onClick={() => ask(versionStop(v.id))}>
                        Stop
                      </button>
                    )}
                    <button
                      type="button"
                      class="small danger-quiet"
                      onClick={() =>
                        ask(
                          deletion(
                            `version ${v.id}`,
                            'The version, its log and its metrics are deleted. This cannot be undone.',
                            `/api/versions/${v.id}/delete`,
                          ),
                        )
                      }
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Panel>
    </>
  );
}
