/**
 * One model: its versions (status, files, serving framework), deploy a version
 * as a service, delete a version or the model.
 * @module
 */
import type { ModelDetail, ModelVersionDetail, ResourceSpec } from 'modelmaker';
import { useRef, useState } from 'preact/hooks';
import { post, useJson } from '../api.js';
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
} from '../components/common.js';
import { formatTime } from '../format.js';

interface Catalog {
  readonly predictMachines: { value?: { resources: ResourceSpec[] }; error?: string };
}

export function ModelPage({ modelId }: { readonly modelId: number }) {
  const [reload, setReload] = useState(0);
  const { data: model, error } = useJson<ModelDetail>(`/api/models/${modelId}`, reload);
  const { ask, setNotice, view } = useActions();
  const [deploying, setDeploying] = useState<ModelVersionDetail | undefined>(undefined);
  const versions = [...(model?.versions ?? [])].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
  return (
    <>
      <PageHead
        crumb={{ href: '#/models', label: 'Models' }}
        title={<NamedTitle name={model?.name ?? `Model ${modelId}`} id={modelId} />}
      >
        <DeleteButton
          onClick={() =>
            ask(
              deletion(
                `model ${modelId}`,
                'The model and all its versions are deleted. Services using them must be deleted first.',
                `/api/models/${modelId}/delete`,
                goTo('#/models'),
              ),
            )
          }
        >
          Delete model
        </DeleteButton>
      </PageHead>
      {view}
      <ErrorNotice text={error} />
      <Summary item={model} />
      <Panel title={`Versions (${versions.length})`}>
        <GridTable name="model-versions" columns={['Version', 'Type', 'Status', 'Model files', 'Created']}>
          {versions.map((v) => (
            <tr key={v.id} data-model-version={v.id}>
              <td>
                <span class="strong">{v.version ?? '–'}</span>
                <span class="muted"> #{v.id}</span>
              </td>
              <td class="muted">{v.type ?? '–'}</td>
              <td>{v.status ? <StatusBadge status={v.status} /> : '–'}</td>
              <td class="path">{v.modelPath ?? '–'}</td>
              <td class="muted nowrap">{formatTime(v.createdAt)}</td>
              <td class="actions">
                <button type="button" class="small primary" onClick={() => setDeploying(v)}>
                  Deploy
                </button>
                <DeleteButton
                  small
                  onClick={() =>
                    ask(
                      deletion(
                        `model version ${v.id}`,
                        `Version ${v.version ?? v.id} is deleted. This cannot be undone.`,
                        `/api/model-versions/${v.id}/delete`,
                        () => setReload((n) => n + 1),
                      ),
                    )
                  }
                />
              </td>
            </tr>
          ))}
        </GridTable>
      </Panel>
      {deploying && (
        <DeployDialog
          model={model?.name ?? `model-${modelId}`}
          version={deploying}
          onClose={(failure) => {
            setDeploying(undefined);
            if (failure) setNotice({ kind: 'error', text: failure });
          }}
        />
      )}
    </>
  );
}

/** The deploy form: a service name, a PREDICT machine, an instance count. */
function DeployDialog({
  model,
  version,
  onClose,
}: {
  readonly model: string;
  readonly version: ModelVersionDetail;
  readonly onClose: (failure?: string) => void;
}) {
  const { data: catalog } = useJson<Catalog>('/api/catalog');
  const machines = catalog?.predictMachines.value?.resources ?? [];
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const open = (element: HTMLDialogElement | null) => {
    dialog.current = element;
    if (element && !element.open) element.showModal();
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    setBusy(true);
    setProblem(undefined);
    try {
      const { serviceId } = await post<{ serviceId: number }>('/api/services', {
        name: String(form.get('name') ?? ''),
        modelVersionId: version.id,
        resourceId: Number(form.get('resource')),
        instanceCount: Number(form.get('instances')),
      });
      onClose();
      location.hash = `#/services/${serviceId}`;
    } catch (error) {
      setProblem((error as Error).message);
      setBusy(false);
    }
  };
  return (
    <dialog ref={open} class="confirm" onCancel={() => onClose()} aria-label="deploy">
      <form onSubmit={submit}>
        <h3>
          Deploy {model} {version.version}
        </h3>
        <label>
          Service name
          <input
            name="name"
            required
            defaultValue={`${model}-${version.version ?? version.id}`.replace(/[^\w-]/g, '-')}
          />
        </label>
        <label>
          Machine
          <select name="resource" required>
            {machines.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name ?? m.id} ({m.cpu} CPU{m.gpu ? `, ${m.gpu} GPU` : ''})
              </option>
            ))}
          </select>
        </label>
        <label>
          Instances
          <input name="instances" type="number" min={1} max={10} defaultValue="1" required />
        </label>
        {problem && <p class="form-error">{problem}</p>}
        <div class="confirm-actions">
          <button type="button" class="quiet" onClick={() => onClose()} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy || machines.length === 0}>
            {busy ? 'Deploying…' : 'Deploy'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
