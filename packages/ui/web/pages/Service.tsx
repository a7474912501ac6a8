/**
 * One service, live: status, models with weights and instances (editable),
 * start/stop/delete, a predict console (JSON in, JSON out, latency) and its log.
 * @module
 */
import type { ServiceDetail, ServiceModelState } from 'modelmaker';
import { useRef, useState } from 'preact/hooks';
import { post, useEvents } from '../api.js';
import { ErrorNotice, Facts, LiveDot, Panel, StatusBadge, useActions } from '../components/common.js';
import { LogView } from '../components/LogView.js';
import { formatTime } from '../format.js';
import { type LogItem, LogStore } from '../logStore.js';
import { lifecycle, serviceAction } from './Services.js';

const EXAMPLE_REQUEST = '{\n  "instances": [[5.1, 3.5, 1.4, 0.2]]\n}';

export function ServicePage({ serviceId }: { readonly serviceId: number }) {
  const store = useRef(new LogStore()).current;
  const [logVersion, setLogVersion] = useState(0);
  const [service, setService] = useState<ServiceDetail | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const stream = useEvents(`/api/services/${serviceId}/events`, {
    service: (data: ServiceDetail) => setService(data),
    log: (items: LogItem[]) => {
      store.append(items);
      setLogVersion(store.version);
    },
    failure: (data: { message: string }) => setFailure(data.message),
  });
  const { ask, setNotice, view } = useActions();
  const verbs = lifecycle(service?.status);

  const act = (verb: 'start' | 'stop' | 'delete') =>
    ask(
      serviceAction(serviceId, verb, () => {
        if (verb === 'delete') location.hash = '#/services';
      }),
    );

  return (
    <>
      <div class="page-head">
        <div>
          <a class="crumb" href="#/services">
            Services
          </a>
          <h1>
            {service?.name ?? `Service ${serviceId}`} <StatusBadge status={service?.status} />
          </h1>
        </div>
        <LiveDot state={stream} />
        <div class="grow" />
        {verbs.map((verb) => (
          <button type="button" key={verb} onClick={() => act(verb)}>
            {verb === 'start' ? 'Start' : 'Stop'}
          </button>
        ))}
        <button type="button" class="danger-quiet" onClick={() => act('delete')}>
          Delete
        </button>
      </div>
      {view}
      <ErrorNotice text={failure} />
      {service?.reason && <div class="notice notice-error">{service.reason}</div>}
      <div class="two">
        <Panel title="Service">
          {service ? (
            <Facts
              items={[
                ['Id', service.id],
                ['Type', service.type],
                ['Address', service.accessAddress],
                ['Created', formatTime(service.createdAt)],
                ['Models', service.serviceModels?.length],
                ['Instances', instanceSummary(service)],
              ]}
            />
          ) : (
            <p class="empty">Loading…</p>
          )}
        </Panel>
        <Predict serviceId={serviceId} running={service?.status === 'RUNNING'} />
      </div>
      <Panel title="Models and instances">
        {service?.serviceModels && service.serviceModels.length > 0 ? (
          <ModelsTable
            models={service.serviceModels}
            onSave={async (models) => {
              try {
                await post(`/api/services/${serviceId}/update`, { serviceModels: models });
                setNotice({ kind: 'ok', text: `Service ${serviceId} updated` });
              } catch (error) {
                setNotice({ kind: 'error', text: (error as Error).message });
              }
            }}
          />
        ) : (
          <p class="empty">No model details reported.</p>
        )}
      </Panel>
      <Panel title="Log">
        <LogView store={store} version={logVersion} fileName={`service-${serviceId}.log`} height={320} />
      </Panel>
    </>
  );
}

/** `2 READY, 1 STARTING`: how many serving instances are in each state. */
function instanceSummary(service: ServiceDetail): string | undefined {
  const counts = new Map<string, number>();
  for (const model of service.serviceModels ?? [])
    for (const instance of model.instances ?? []) {
      const status = instance.status ?? 'UNKNOWN';
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
  return counts.size === 0 ? undefined : [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/** The service models with their instances; weights and instance counts can be changed and saved. */
function ModelsTable({
  models,
  onSave,
}: {
  readonly models: readonly ServiceModelState[];
  readonly onSave: (models: unknown[]) => Promise<void>;
}) {
  const [edits, setEdits] = useState<Record<number, { weight: number; instanceCount: number }>>({});
  const changed = Object.keys(edits).length > 0;
  const value = (m: ServiceModelState, i: number) =>
    edits[i] ?? { weight: m.weight ?? 0, instanceCount: m.instanceCount ?? 1 };
  const edit = (i: number, change: Partial<{ weight: number; instanceCount: number }>) =>
    setEdits({ ...edits, [i]: { ...value(models[i]!, i), ...change } });
  const save = async () => {
    await onSave(
      models.map((m, i) => ({
        modelVersionId: m.modelVersionId,
        resourceId: m.resourceId,
        ...value(m, i),
      })),
    );
    setEdits({});
  };
  return (
    <>
      <table class="grid" data-table="service-models">
        <thead>
          <tr>
            <th>Model version</th>
            <th>Machine</th>
            <th class="num">Weight %</th>
            <th class="num">Instances</th>
            <th>Status</th>
            <th>Instance states</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m, i) => (
            <tr key={`${m.modelVersionId}-${i}`}>
              <td>{m.modelVersionId ?? '–'}</td>
              <td>{m.resourceId ?? '–'}</td>
              <NumberCell
                label="weight"
                min={0}
                max={100}
                value={value(m, i).weight}
                onChange={(n) => edit(i, { weight: n })}
              />
              <NumberCell
                label="instances"
                min={1}
                max={10}
                value={value(m, i).instanceCount}
                onChange={(n) => edit(i, { instanceCount: n })}
              />
              <td>
                {m.status ? <StatusBadge status={m.status} /> : <span class="muted">–</span>}
                {m.reason && <div class="reason">{m.reason}</div>}
              </td>
              <td>
                {(m.instances ?? []).map((instance) => (
                  <span class="chip" key={instance.index} title={instance.reason}>
                    #{instance.index} <StatusBadge status={instance.status} />
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {changed && (
        <div class="row-end">
          <button type="button" class="quiet" onClick={() => setEdits({})}>
            Discard
          </button>
          <button type="button" class="primary" onClick={save}>
            Save changes
          </button>
        </div>
      )}
    </>
  );
}

/** A number input in a table cell. */
function NumberCell({
  label,
  min,
  max,
  value,
  onChange,
}: {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly value: number;
  readonly onChange: (value: number) => void;
}) {
  return (
    <td class="num">
      <input
        class="cell"
        type="number"
        min={min}
        max={max}
        value={value}
        aria-label={label}
        onInput={(e) => onChange(Number((e.target as HTMLInputElement).value))}
      />
    </td>
  );
}

/** The predict console: JSON in, JSON out, with the latency of the call. */
function Predict({ serviceId, running }: { readonly serviceId: number; readonly running: boolean }) {
  const [request, setRequest] = useState(EXAMPLE_REQUEST);
  const [result, setResult] = useState<{ text: string; latencyMs?: number; error?: boolean } | undefined>(
    undefined,
  );
  const [busy, setBusy] = useState(false);
  const send = async () => {
    let body: unknown;
    try {
      body = JSON.parse(request);
    } catch (error) {
      setResult({ text: `The request is not JSON: ${(error as Error).message}`, error: true });
      return;
    }
    setBusy(true);
    try {
      const { answer, latencyMs } = await post<{ answer: unknown; latencyMs: number }>(
        `/api/services/${serviceId}/predict`,
        body,
      );
      setResult({ text: JSON.stringify(answer, null, 2), latencyMs });
    } catch (error) {
      setResult({ text: (error as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title="Predict" class="predict">
      <textarea
        aria-label="request JSON"
        spellcheck={false}
        value={request}
        onInput={(e) => setRequest((e.target as HTMLTextAreaElement).value)}
        rows={5}
      />
      <div class="row-end">
        {!running && <span class="muted">The service is not running.</span>}
        <button type="button" class="primary" onClick={send} disabled={busy}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
      {result && (
        <div class={result.error ? 'answer answer-error' : 'answer'} data-answer>
          {result.latencyMs !== undefined && (
            <div class="muted latency" data-latency={result.latencyMs}>
              answered in {result.latencyMs} ms
            </div>
          )}
          <pre>{result.text}</pre>
        </div>
      )}
    </Panel>
  );
}
