/**
 * What the platform offers: machines, frameworks, preset algorithms and models.
 * @module
 */
import type { Framework, PresetAlgorithm, PresetModel, ResourceSpec } from 'modelmaker';
import { useJson } from '../api.js';
import { ErrorNotice, Panel } from '../components/common.js';
import { formatBytes } from '../format.js';

interface Part<T> {
  readonly value?: T;
  readonly error?: string;
}

interface Catalog {
  readonly trainMachines: Part<{ resources: ResourceSpec[] }>;
  readonly predictMachines: Part<{ resources: ResourceSpec[] }>;
  readonly trainFrameworks: Part<{ frameWorks: Framework[] }>;
  readonly predictFrameworks: Part<{ frameWorks: Framework[] }>;
  readonly algorithms: Part<{ presetAlgorithms: PresetAlgorithm[] }>;
  readonly presetModels: Part<{ presetModels: PresetModel[] }>;
}

const memory = (value: string | number | undefined) =>
  typeof value === 'number' ? formatBytes(value) : (value ?? '–');

function Machines({
  title,
  part,
}: {
  readonly title: string;
  readonly part: Part<{ resources: ResourceSpec[] }> | undefined;
}) {
  return (
    <Panel title={title}>
      {part?.error && <p class="empty">{part.error}</p>}
      <table class="grid" data-table={title}>
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th class="num">CPU</th>
            <th class="num">Memory</th>
            <th class="num">GPU</th>
          </tr>
        </thead>
        <tbody>
          {(part?.value?.resources ?? []).map((r) => (
            <tr key={r.id}>
              <td class="mono">{r.id}</td>
              <td>{r.name ?? '–'}</td>
              <td class="num">{r.cpu ?? '–'}</td>
              <td class="num">{memory(r.memory)}</td>
              <td class="num">
                {r.gpu ?? 0}
                {r.gpuModel ? ` × ${r.gpuModel}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

function Entries({
  title,
  entries,
  error,
}: {
  readonly title: string;
  readonly entries: ReadonlyArray<{ id: number; name: string; description?: string }> | undefined;
  readonly error?: string | undefined;
}) {
  return (
    <Panel title={title}>
      {error && <p class="empty">{error}</p>}
      <table class="grid" data-table={title}>
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {(entries ?? []).map((e) => (
            <tr key={e.id}>
              <td class="mono">{e.id}</td>
              <td class="strong nowrap">{e.name}</td>
              <td class="muted">{e.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

export function CatalogPage() {
  const { data, error } = useJson<Catalog>('/api/catalog');
  return (
    <>
      <div class="page-head">
        <h1>Catalog</h1>
      </div>
      <ErrorNotice text={error} />
      <div class="two">
        <Machines title="Training machines" part={data?.trainMachines} />
        <Machines title="Serving machines" part={data?.predictMachines} />
        <Entries
          title="Training frameworks"
          entries={data?.trainFrameworks.value?.frameWorks}
          error={data?.trainFrameworks.error}
        />
        <Entries
          title="Serving frameworks"
          entries={data?.predictFrameworks.value?.frameWorks}
          error={data?.predictFrameworks.error}
        />
        <Entries
          title="Preset algorithms"
          entries={data?.algorithms.value?.presetAlgorithms}
          error={data?.algorithms.error}
        />
        <Entries
          title="Preset models"
          entries={data?.presetModels.value?.presetModels}
          error={data?.presetModels.error}
        />
      </div>
    </>
  );
}
