/**
 * One training job: its fields and every version, live; stop or delete a version, delete the job.
 * @module
 */
import type { TrainJobDetail } from 'modelmaker';
import { useState } from 'preact/hooks';
import { useEvents } from '../api.js';
import {
  DeleteButton,
  deletion,
  ErrorNotice,
  GridTable,
  goTo,
  NamedTitle,
  PageHead,
  Panel,
  StatusBadge,
  Summary,
  useActions,
  useNow,
  versionStop,
} from '../components/common.js';
import { formatDuration, formatTime, isRunning, toMs } from '../format.js';

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
      <PageHead
        crumb={{ href: '#/jobs', label: 'Training jobs' }}
        title={<NamedTitle name={job?.name ?? `Job ${jobId}`} id={jobId} />}
        stream={stream}
      >
        <DeleteButton
          onClick={() =>
            ask(
              deletion(
                `job ${jobId}`,
                `The job and all ${versions.length} of its versions are deleted. This cannot be undone.`,
                `/api/jobs/${jobId}/delete`,
                goTo('#/jobs'),
              ),
            )
          }
        >
          Delete job
        </DeleteButton>
      </PageHead>
      {view}
      <ErrorNotice text={failure} />
      <Summary item={job} />
      <Panel title={`Versions (${versions.length})`}>
        <GridTable
          name="versions"
          columns={['Version', 'Name', 'Status', 'Created', 'Finished', ['Duration', 'num']]}
        >
          {versions.map((v) => {
            const running = isRunning(v.status);
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
                  <DeleteButton
                    small
                    onClick={() =>
                      ask(
                        deletion(
                          `version ${v.id}`,
                          'The version, its log and its metrics are deleted. This cannot be undone.',
                          `/api/versions/${v.id}/delete`,
                        ),
                      )
                    }
                  />
                </td>
              </tr>
            );
          })}
        </GridTable>
      </Panel>
    </>
  );
}
