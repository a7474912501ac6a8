/**
 * Every online service with its live status; start, stop, delete.
 * @module
 */
import type { ServiceList, ServiceSummary } from 'modelmaker';
import { useState } from 'preact/hooks';
import { post, useEvents } from '../api.js';
import {
  DeleteButton,
  ErrorNotice,
  GridTable,
  PageHead,
  Panel,
  type Question,
  StatusBadge,
  useActions,
} from '../components/common.js';
import { formatTime } from '../format.js';

/** The lifecycle buttons of a service in a given status. */
export function lifecycle(status: string | undefined): ReadonlyArray<'start' | 'stop'> {
  if (status === 'RUNNING' || status === 'DEPLOYING') return ['stop'];
  if (status === 'STOPPED' || status === 'FAILED') return ['start'];
  return [];
}

/** What each lifecycle verb does to a service, as the confirmation says it. */
const CONSEQUENCES = {
  start: 'Its serving instances are started again.',
  stop: 'Its serving instances are stopped; it stops answering predictions.',
  delete: 'The service is deleted. This cannot be undone.',
} as const;

/** The question before starting, stopping or deleting service `serviceId`; `then` runs after it was done. */
export function serviceAction(
  serviceId: number,
  verb: keyof typeof CONSEQUENCES,
  then?: () => void,
): Question {
  const word = `${verb[0]!.toUpperCase()}${verb.slice(1)}`;
  return {
    title: `${word} service ${serviceId}?`,
    body: <p>{CONSEQUENCES[verb]}</p>,
    verb: word,
    danger: verb !== 'start',
    run: async () => {
      await post(`/api/services/${serviceId}/${verb}`);
      then?.();
    },
  };
}

export function ServicesPage() {
  const [services, setServices] = useState<ServiceSummary[] | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const stream = useEvents('/api/services/events', {
    services: (data: ServiceList) => setServices([...data.services].sort((a, b) => b.id - a.id)),
    failure: (data: { message: string }) => setFailure(data.message),
  });
  const { ask, view } = useActions();
  const act = (service: ServiceSummary, verb: keyof typeof CONSEQUENCES) =>
    ask(serviceAction(service.id, verb));
  return (
    <>
      <PageHead title="Services" stream={stream} />
      {view}
      <ErrorNotice text={failure} />
      <Panel title={services ? `${services.length} service${services.length === 1 ? '' : 's'}` : 'Loading…'}>
        <GridTable name="services" columns={['Service', 'Status', 'Address', 'Created']}>
          {(services ?? []).map((s) => (
            <tr key={s.id} data-service={s.id}>
              <td>
                <a class="strong" href={`#/services/${s.id}`}>
                  {s.name ?? `service ${s.id}`}
                </a>
                <span class="muted"> #{s.id}</span>
              </td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td class="path">{s.accessAddress ?? '–'}</td>
              <td class="muted nowrap">{formatTime(s.createdAt)}</td>
              <td class="actions">
                {lifecycle(s.status).map((verb) => (
                  <button type="button" class="small" key={verb} onClick={() => act(s, verb)}>
                    {verb === 'start' ? 'Start' : 'Stop'}
                  </button>
                ))}
                <DeleteButton small onClick={() => act(s, 'delete')} />
              </td>
            </tr>
          ))}
        </GridTable>
        {services && services.length === 0 && (
          <p class="empty">No services. Deploy a model version from its model's page.</p>
        )}
      </Panel>
    </>
  );
}
