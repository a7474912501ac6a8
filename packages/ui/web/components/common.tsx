/**
 * Small shared pieces: status badges, the confirmation dialog, notices, the
 * live-connection dot, a ticking clock.
 * @module
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { post, type StreamState } from '../api.js';
import { formatTime, statusTone } from '../format.js';

export function StatusBadge({ status }: { readonly status: string | undefined }) {
  return (
    <span class={`badge tone-${statusTone(status)}`} data-status={status ?? ''}>
      {status ?? 'UNKNOWN'}
    </span>
  );
}

/** The state of a live stream as a dot and a word. */
export function LiveDot({ state }: { readonly state: StreamState }) {
  const words: Record<StreamState, string> = {
    connecting: 'connecting…',
    live: 'live',
    reconnecting: 'reconnecting…',
    ended: 'ended',
    failed: 'not live',
  };
  return (
    <span class={`live live-${state}`} data-stream={state}>
      <span class="dot" />
      {words[state]}
    </span>
  );
}

/** Re-renders every `ms` (durations of running things). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** A question to confirm before an action. */
export interface Question {
  readonly title: string;
  readonly body: ComponentChildren;
  /** The confirming button's word ("Delete", "Stop"). */
  readonly verb: string;
  readonly danger?: boolean;
  readonly run: () => Promise<unknown>;
}

/** The modal that asks a {@link Question}; `onDone` with the action's failure message, if any. */
export function Confirm({
  question,
  onClose,
}: {
  readonly question: Question | undefined;
  readonly onClose: (failure?: string) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const element = dialog.current!;
    if (question && !element.open) element.showModal();
    if (!question && element.open) element.close();
  }, [question]);
  const confirm = async () => {
    if (!question) return;
    setBusy(true);
    try {
      await question.run();
      onClose();
    } catch (error) {
      onClose((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} class="confirm" onCancel={() => onClose()} aria-label={question?.title}>
      {question && (
        <form method="dialog" onSubmit={(e) => e.preventDefault()}>
          <h3>{question.title}</h3>
          <div class="confirm-body">{question.body}</div>
          <div class="confirm-actions">
            <button type="button" class="quiet" onClick={() => onClose()} disabled={busy}>
              Cancel
            </button>
            <button
              type="button"
              class={question.danger ? 'danger' : 'primary'}
              onClick={confirm}
              disabled={busy}
            >
              {busy ? 'Working…' : question.verb}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** A notice at the top of a page: what happened, or what went wrong. */
export interface NoticeText {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

export function Notice({
  notice,
  onClose,
}: {
  readonly notice: NoticeText | undefined;
  readonly onClose: () => void;
}) {
  if (!notice) return null;
  return (
    <div class={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      <button type="button" class="link" onClick={onClose} aria-label="dismiss">
        ×
      </button>
    </div>
  );
}

/** The confirm dialog and notice state a page with actions needs. */
export function useActions() {
  const [question, ask] = useState<Question | undefined>(undefined);
  const [notice, setNotice] = useState<NoticeText | undefined>(undefined);
  const close = (failure?: string) => {
    if (failure !== undefined) setNotice({ kind: 'error', text: failure });
    else if (question) setNotice({ kind: 'ok', text: `${question.title.replace(/\?$/, '')}: done` });
    ask(undefined);
  };
  const view = (
    <>
      <Notice notice={notice} onClose={() => setNotice(undefined)} />
      <Confirm question={question} onClose={close} />
    </>
  );
  return { ask, setNotice, view };
}

/** A titled panel. */
export function Panel({
  title,
  actions,
  children,
  class: extra,
}: {
  readonly title?: ComponentChildren;
  readonly actions?: ComponentChildren;
  readonly children: ComponentChildren;
  readonly class?: string;
}) {
  return (
    <section class={`panel ${extra ?? ''}`}>
      {(title || actions) && (
        <header class="panel-head">
          <h2>{title}</h2>
          <div class="panel-actions">{actions}</div>
        </header>
      )}
      {children}
    </section>
  );
}

/** A two-column list of facts. */
export function Facts({ items }: { readonly items: ReadonlyArray<readonly [string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {items
        .filter(([, value]) => value !== undefined && value !== null && value !== '')
        .map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

/**
 * The question before a deletion: "Delete {what}?", the consequences, a POST to
 * `path`, then `then` (e.g. leave the page of what is gone).
 */
export function deletion(what: string, consequences: string, path: string, then?: () => void): Question {
  return {
    title: `Delete ${what}?`,
    body: <p>{consequences}</p>,
    verb: 'Delete',
    danger: true,
    run: async () => {
      await post(path);
      then?.();
    },
  };
}

/** The question before stopping a training version. */
export function versionStop(versionId: number, consequences = 'Its training process is stopped.'): Question {
  return {
    title: `Stop version ${versionId}?`,
    body: <p>{consequences}</p>,
    verb: 'Stop',
    danger: true,
    run: () => post(`/api/versions/${versionId}/stop`),
  };
}

/** The kind, creation time and description of a job or a model, in a panel. */
export function Summary({
  item,
}: {
  readonly item: { type?: string; createdAt?: string | number; description?: string } | undefined;
}) {
  if (!item) return null;
  return (
    <Panel>
      <Facts
        items={[
          ['Type', item.type],
          ['Created', formatTime(item.createdAt)],
          ['Description', item.description],
        ]}
      />
    </Panel>
  );
}

/**
 * The head of a page: an optional crumb back, the title, the live dot of its
 * stream, then (pushed right) its actions.
 * @example <PageHead title="Services" stream={stream} />
 */
export function PageHead({
  title,
  crumb,
  stream,
  children,
}: {
  readonly title: ComponentChildren;
  /** The link back to the page above. */
  readonly crumb?: { readonly href: string; readonly label: ComponentChildren };
  readonly stream?: StreamState;
  /** The page's actions, after a spacer. */
  readonly children?: ComponentChildren;
}) {
  return (
    <div class="page-head">
      {crumb ? (
        <div>
          <a class="crumb" href={crumb.href}>
            {crumb.label}
          </a>
          <h1>{title}</h1>
        </div>
      ) : (
        <h1>{title}</h1>
      )}
      {stream !== undefined && <LiveDot state={stream} />}
      {children !== undefined && (
        <>
          <div class="grow" />
          {children}
        </>
      )}
    </div>
  );
}

/** A quiet red button that starts a deletion (`small` in table rows). */
export function DeleteButton({
  onClick,
  small = false,
  children = 'Delete',
}: {
  readonly onClick: () => void;
  readonly small?: boolean;
  readonly children?: ComponentChildren;
}) {
  return (
    <button type="button" class={small ? 'small danger-quiet' : 'danger-quiet'} onClick={onClick}>
      {children}
    </button>
  );
}

/** A grid column's heading: its label, or its label and the cell's class (`num`). */
export type Column = string | readonly [label: string, cellClass: string];

/**
 * A `grid` table named by `data-table`, with one heading per column and an
 * empty last heading over the rows' actions.
 * @example <GridTable name="services" columns={['Service', 'Status']}>{rows}</GridTable>
 */
export function GridTable({
  name,
  columns,
  children,
}: {
  readonly name: string;
  readonly columns: ReadonlyArray<Column>;
  readonly children: ComponentChildren;
}) {
  return (
    <table class="grid" data-table={name}>
      <thead>
        <tr>
          {columns.map((column) =>
            typeof column === 'string' ? (
              <th key={column}>{column}</th>
            ) : (
              <th key={column[0]} class={column[1]}>
                {column[0]}
              </th>
            ),
          )}
          <th />
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** An error from loading or streaming a page's data; nothing without one. */
export function ErrorNotice({ text }: { readonly text: string | undefined }) {
  if (!text) return null;
  return <div class="notice notice-error">{text}</div>;
}

/** A page title: a name and, muted, its id (`my-job #12`). */
export function NamedTitle({ name, id }: { readonly name: string; readonly id: number }) {
  return (
    <>
      {name} <span class="muted">#{id}</span>
    </>
  );
}

/** A callback that leaves for `hash` (after a deletion, the page above). */
export function goTo(hash: string): () => void {
  return () => {
    location.hash = hash;
  };
}
