/**
 * A log as a virtualised list: only the rows in view are in the DOM, so 200,000
 * lines scroll as smoothly as 20. Follows the end while new lines come (a scroll
 * up pauses that), with search, an instance filter, gap markers and a download
 * of what it shows.
 * @module
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { FilteredRows, type LogStore, RowKind } from '../logStore.js';

/** Height of one row, px (fixed: the list computes what is in view from it). */
const ROW_HEIGHT = 20;
/** Rows drawn beyond the viewport on each side, so fast scrolling shows no blank. */
const OVERSCAN = 20;
/** How close to the bottom (px) still counts as "at the end" for following. */
const FOLLOW_SLACK = 4;
/** Height of the list when the page gives it none, px. */
const DEFAULT_HEIGHT = 440;

export interface LogViewProps {
  readonly store: LogStore;
  /** The store's `version` when last changed (a new value re-renders). */
  readonly version: number;
  /** What to call the downloaded file. */
  readonly fileName: string;
  readonly height?: number;
  /** Shown when the log has no line yet. */
  readonly empty?: string;
}

export function LogView({ store, version, fileName, height = DEFAULT_HEIGHT, empty }: LogViewProps) {
  const [search, setSearch] = useState('');
  const [instance, setInstance] = useState<number | undefined>(undefined);
  const [follow, setFollow] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const viewport = useRef<HTMLDivElement>(null);
  const filtered = useMemo(() => new FilteredRows(store, { search, instance }), [store, search, instance]);
  filtered.update();
  const count = filtered.length;
  const total = count * ROW_HEIGHT;

  // Following: keep the end in view as rows come.
  useEffect(() => {
    const element = viewport.current;
    if (!follow || element === null) return;
    element.scrollTop = element.scrollHeight;
    setScrollTop(element.scrollTop);
  }, [follow, version, count]);

  const onScroll = () => {
    const element = viewport.current!;
    setScrollTop(element.scrollTop);
    const atEnd = element.scrollTop + element.clientHeight >= element.scrollHeight - FOLLOW_SLACK;
    if (follow && !atEnd) setFollow(false);
    else if (!follow && atEnd && element.scrollHeight > element.clientHeight) setFollow(true);
  };

  // The browser clamps scrollTop when the list gets shorter (a search) without always telling us
  // before the next render: draw from the clamped position, not a stale one.
  const shownTop = Math.min(scrollTop, Math.max(0, total - height));
  const first = Math.max(0, Math.floor(shownTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((shownTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const row = filtered.row(i);
    const kind = store.kind(row);
    const top = i * ROW_HEIGHT;
    if (kind === RowKind.Gap) {
      rows.push(
        <div
          class="log-row log-gap"
          key={`g${row}`}
          style={{ top: `${top}px` }}
          data-gap={`${store.id(row)}-${store.end(row)}`}
        >
          ⋯ lines {store.id(row)}–{store.end(row)} are missing
        </div>,
      );
      continue;
    }
    const lineInstance = store.instance(row);
    rows.push(
      <div
        class={kind === RowKind.Stderr ? 'log-row log-stderr' : 'log-row'}
        key={row}
        style={{ top: `${top}px` }}
        data-line-id={store.id(row)}
      >
        <span class="log-id">{store.id(row)}</span>
        {store.instances.size > 1 && <span class="log-instance">{lineInstance ?? ''}</span>}
        <span class="log-text">{store.content(row)}</span>
      </div>,
    );
  }

  const download = () => {
    const url = URL.createObjectURL(new Blob([filtered.text()], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  const instances = [...store.instances].sort((a, b) => a - b);
  return (
    <div class="log">
      <div class="log-toolbar">
        <button
          type="button"
          class={follow ? 'toggle on' : 'toggle'}
          onClick={() => setFollow(!follow)}
          title="keep the newest line in view"
        >
          {follow ? 'Pause' : 'Follow'}
        </button>
        <input
          type="search"
          class="log-search"
          placeholder="Search the log"
          value={search}
          onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          aria-label="search the log"
        />
        {instances.length > 1 && (
          <select
            aria-label="instance"
            value={instance === undefined ? '' : String(instance)}
            onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value;
              setInstance(value === '' ? undefined : Number(value));
            }}
          >
            <option value="">All instances</option>
            {instances.map((n) => (
              <option value={String(n)} key={n}>
                Instance {n}
              </option>
            ))}
          </select>
        )}
        <span class="log-count" data-lines={store.lines} data-gaps={store.gaps} data-shown={count}>
          {filtered.all
            ? `${store.lines.toLocaleString('en')} lines`
            : `${count.toLocaleString('en')} of ${store.lines.toLocaleString('en')} lines`}
          {store.gaps > 0 && ` · ${store.gaps} gap${store.gaps > 1 ? 's' : ''}`}
        </span>
        <button type="button" class="quiet" onClick={download} disabled={count === 0}>
          Download
        </button>
      </div>
      <div class="log-viewport" ref={viewport} onScroll={onScroll} style={{ height: `${height}px` }}>
        {count === 0 ? (
          <div class="log-empty">
            {store.length === 0 ? (empty ?? 'No log lines yet.') : 'No line matches.'}
          </div>
        ) : (
          <div class="log-rows" style={{ height: `${total}px` }}>
            {rows}
          </div>
        )}
      </div>
    </div>
  );
}
