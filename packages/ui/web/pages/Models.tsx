/**
 * Every registered model.
 * @module
 */
import type { ModelList } from 'modelmaker';
import { useState } from 'preact/hooks';
import { useJson } from '../api.js';
import { ErrorNotice, Panel } from '../components/common.js';
import { formatTime } from '../format.js';

export function ModelsPage() {
  const [reload, setReload] = useState(0);
  const { data, error } = useJson<ModelList>('/api/models', reload);
  const models = [...(data?.models ?? [])].sort((a, b) => b.id - a.id);
  return (
    <>
      <div class="page-head">
        <h1>Models</h1>
      </div>
      <ErrorNotice text={error} />
      <Panel
        title={data ? `${models.length} model${models.length === 1 ? '' : 's'}` : 'Loading…'}
        actions={
          <button type="button" class="small quiet" onClick={() => setReload(reload + 1)}>
            Refresh
          </button>
        }
      >
        <table class="grid" data-table="models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Type</th>
              <th>Latest version</th>
              <th>Created</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.id} data-model={m.id}>
                <td>
                  <a class="strong" href={`#/models/${m.id}`}>
                    {m.name}
                  </a>
                  <span class="muted"> #{m.id}</span>
                </td>
                <td class="muted">{m.type ?? '–'}</td>
                <td>{m.latestVersionId ?? '–'}</td>
                <td class="muted">{formatTime(m.createdAt)}</td>
                <td class="muted">{m.description ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data && models.length === 0 && (
          <p class="empty">No models yet. Register one with modelmaker models create.</p>
        )}
      </Panel>
    </>
  );
}
