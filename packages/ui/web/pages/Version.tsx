/**
 * One training version, live: status and duration, the log (follow, search,
 * instance filter, gaps), a chart per monitored metric, CPU/memory/GPU per
 * instance, the output files to download, and the parameters it ran with
 * (secrets masked by the server).
 * @module
 */
import type { TrainVersionDetail } from 'modelmaker';
import { useMemo, useRef, useState } from 'preact/hooks';
import { getJson, useEvents } from '../api.js';
import { Chart } from '../components/Chart.js';
import {
  DeleteButton,
  deletion,
  ErrorNotice,
  Facts,
  goTo,
  PageHead,
  Panel,
  StatusBadge,
  useActions,
  useNow,
  versionStop,
} from '../components/common.js';
import { LogView } from '../components/LogView.js';
import { formatBytes, formatDuration, formatTime, isRunning, toMs } from '../format.js';
import { type LogItem, LogStore } from '../logStore.js';
import {
  addMetricPoints,
  type MetricPoint,
  type MetricSeries,
  type ResourceChart,
  type ResourcePoint,
  resourceCharts,
} from '../series.js';

interface StatusEvent {
  readonly status: string;
  readonly terminal: boolean;
  readonly detail: TrainVersionDetail;
}

interface OutputFile {
  readonly key: string;
  readonly size: number;
  readonly lastModified: string | number;
}

const cores = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2));

/** A panel with one resource chart (CPU, memory, GPU) over time, a line per instance. */
function ResourcePanel({
  title,
  chart,
  format,
}: {
  readonly title: string;
  readonly chart: ResourceChart;
  readonly format?: (value: number) => string;
}) {
  return (
    <Panel class="chart-panel">
      <Chart title={title} labels={chart.labels} data={chart.data} time format={format} />
    </Panel>
  );
}

export function VersionPage({ versionId }: { readonly versionId: number }) {
  const store = useRef(new LogStore()).current;
  const [logVersion, setLogVersion] = useState(0);
  const [status, setStatus] = useState<StatusEvent | undefined>(undefined);
  const [metrics, setMetrics] = useState<Map<string, MetricSeries>>(new Map());
  const [samples, setSamples] = useState<ResourcePoint[]>([]);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [files, setFiles] = useState<OutputFile[] | string | undefined>(undefined);
  const { ask, view } = useActions();

  const loadFiles = () =>
    getJson<{ files: OutputFile[] }>(`/api/versions/${versionId}/output`).then(
      (output) => setFiles(output.files),
      (error: unknown) => setFiles((error as Error).message),
    );

  const stream = useEvents(`/api/versions/${versionId}/events`, {
    hello: () => {
      // metric points and samples come again from the start on every connection
      setMetrics(new Map());
      setSamples([]);
    },
    status: (data: StatusEvent) => {
      setStatus(data);
      if (data.terminal) void loadFiles();
    },
    log: (items: LogItem[]) => {
      store.append(items);
      setLogVersion(store.version);
    },
    metrics: (points: MetricPoint[]) => setMetrics((current) => addMetricPoints(current, points)),
    resources: (points: ResourcePoint[]) => setSamples((current) => [...current, ...points]),
    failure: (data: { message: string }) => setFailure(data.message),
  });

  const detail = status?.detail;
  const running = isRunning(status?.status);
  const now = useNow();
  const charts = useMemo(() => resourceCharts(samples), [samples]);
  const start = toMs(detail?.startedAt ?? detail?.createdAt);
  const end = running ? now : toMs(detail?.finishedAt);
  const failed = status !== undefined && /FAIL/.test(status.status);
  const jobHref = detail?.jobId === undefined ? '#/jobs' : `#/jobs/${detail.jobId}`;

  return (
    <>
      <PageHead
        crumb={{ href: jobHref, label: detail?.name ?? 'Training job' }}
        title={
          <>
            Version {versionId} <StatusBadge status={status?.status} />
          </>
        }
        stream={stream}
      >
        <span class="elapsed" title="run time">
          {formatDuration(start, end)}
        </span>
        {running && (
          <button
            type="button"
            onClick={() =>
              ask(
                versionStop(
                  versionId,
                  'The training process is stopped; its log and what it wrote so far stay.',
                ),
              )
            }
          >
            Stop
          </button>
        )}
        <DeleteButton
          onClick={() =>
            ask(
              deletion(
                `version ${versionId}`,
                'The version, its log and its metrics are deleted. This cannot be undone.',
                `/api/versions/${versionId}/delete`,
                goTo(jobHref),
              ),
            )
          }
        />
      </PageHead>
      {view}
      <ErrorNotice text={failure} />
      {detail?.reason && (
        <div class={failed ? 'notice notice-error' : 'notice'} data-reason>
          <b>{failed ? 'Failed: ' : 'Note: '}</b>
          {detail.reason}
          {detail.exitCode !== undefined && <span class="muted"> (exit code {detail.exitCode})</span>}
        </div>
      )}

      <div class="charts">
        {[...metrics.values()].map((series) => (
          <Panel key={series.name} class="chart-panel">
            <Chart
              title={series.name}
              labels={[series.name]}
              data={[series.xs, series.ys]}
              time={!series.byStep}
              xLabel={series.byStep ? 'step' : undefined}
            />
          </Panel>
        ))}
        {samples.length > 0 && (
          <>
            <ResourcePanel title="CPU (cores)" chart={charts.cpu} format={cores} />
            <ResourcePanel title="Memory" chart={charts.memory} format={formatBytes} />
            {charts.gpu && <ResourcePanel title="GPU" chart={charts.gpu} />}
          </>
        )}
        {metrics.size === 0 && samples.length === 0 && (
          <Panel class="chart-panel">
            <p class="empty">
              {detail?.monitors?.length
                ? 'Metric charts appear with the first matching log line.'
                : 'This version has no monitors; resource charts appear with the first sample.'}
            </p>
          </Panel>
        )}
      </div>

      <Panel title="Log">
        <LogView
          store={store}
          version={logVersion}
          fileName={`version-${versionId}.log`}
          empty={
            running || status === undefined ? 'Waiting for the first line…' : 'This version logged nothing.'
          }
        />
      </Panel>

      <div class="two">
        <Panel title="Run">
          {detail ? (
            <Facts
              items={[
                [
                  'Job',
                  detail.jobId === undefined ? undefined : (
                    <a href={`#/jobs/${detail.jobId}`}>#{detail.jobId}</a>
                  ),
                ],
                ['Type', detail.type],
                ['Framework', detail.frameworkId],
                ['Algorithm', detail.algorithmId],
                ['Machine', detail.resourceId],
                ['Instances', detail.instance],
                ['Volume', detail.volumeSize === undefined ? undefined : `${detail.volumeSize} GB`],
                ['Created', formatTime(detail.createdAt)],
                ['Started', formatTime(detail.startedAt)],
                ['Finished', formatTime(detail.finishedAt)],
                ['Exit code', detail.exitCode],
                ['Data', detail.dataUrl],
                ['Code', detail.codeUrl],
                ['Boot file', detail.startup],
                ['Output', detail.output],
              ]}
            />
          ) : (
            <p class="empty">Loading…</p>
          )}
        </Panel>
        <Panel title="Parameters">
          <NameValues title="Hyperparameters" pairs={detail?.parameters} />
          <NameValues title="Environment" pairs={detail?.envs} />
          {detail?.monitors && detail.monitors.length > 0 && (
            <>
              <h3>Monitors</h3>
              <table class="grid compact">
                <tbody>
                  {detail.monitors.map((m) => (
                    <tr key={m.name}>
                      <td>{m.name}</td>
                      <td>
                        <code>{m.regular}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Panel>
      </div>

      <Panel
        title="Output files"
        actions={
          <button type="button" class="small quiet" onClick={loadFiles}>
            Refresh
          </button>
        }
      >
        {files === undefined ? (
          <p class="empty">{running ? 'Listed when the run ends (or refresh).' : 'Loading…'}</p>
        ) : typeof files === 'string' ? (
          <p class="empty">{files}</p>
        ) : files.length === 0 ? (
          <p class="empty">No output files.</p>
        ) : (
          <table class="grid" data-table="files">
            <thead>
              <tr>
                <th>File</th>
                <th class="num">Size</th>
                <th>Modified</th>
              </tr>
            </thead>
            <tbody>
              {files.map((file) => (
                <tr key={file.key}>
                  <td>
                    <a
                      href={`/api/versions/${versionId}/output/file?key=${encodeURIComponent(file.key)}`}
                      download
                    >
                      {file.key}
                    </a>
                  </td>
                  <td class="num">{formatBytes(file.size)}</td>
                  <td class="muted">{formatTime(file.lastModified)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </>
  );
}

function NameValues({
  title,
  pairs,
}: {
  readonly title: string;
  readonly pairs: ReadonlyArray<{ readonly name: string; readonly value: unknown }> | undefined;
}) {
  if (!pairs || pairs.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <table class="grid compact" data-table={title.toLowerCase()}>
        <tbody>
          {pairs.map((p) => (
            <tr key={p.name}>
              <td>{p.name}</td>
              <td>
                <code>{String(p.value)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
