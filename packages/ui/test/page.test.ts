/**
 * The page's data structures, without a browser: the columnar log store and its
 * incremental filter (search, instance, gaps always shown), and the chart data
 * built from metric points and resource samples.
 */
import { describe, expect, it } from 'vitest';
import { toMs } from '../web/format.js';
import { FilteredRows, type LogItem, LogStore, RowKind } from '../web/logStore.js';
import { addMetricPoints, resourceCharts } from '../web/series.js';

const line = (id: number, content: string, instance?: number, stream?: string): LogItem => ({
  type: 'line',
  id,
  content,
  ...(instance === undefined ? {} : { instance }),
  ...(stream === undefined ? {} : { stream }),
});

describe('LogStore', () => {
  it('keeps lines and gaps in arrival order, growing past its first capacity', () => {
    const store = new LogStore();
    const items: LogItem[] = [];
    for (let id = 0; id < 3000; id++)
      items.push(line(id, `line ${id}`, id % 2, id % 7 === 0 ? 'stderr' : undefined));
    store.append(items.slice(0, 1500));
    store.append([{ type: 'gap', from: 1500, to: 1599 }]);
    store.append(items.slice(1600));
    expect(store.length).toBe(2901);
    expect(store.lines).toBe(2900);
    expect(store.gaps).toBe(1);
    expect([store.id(1500), store.end(1500), store.kind(1500)]).toEqual([1500, 1599, RowKind.Gap]);
    expect([store.id(1501), store.content(1501), store.instance(1501)]).toEqual([1600, 'line 1600', 0]);
    expect(store.kind(7)).toBe(RowKind.Stderr);
    expect([...store.instances].sort()).toEqual([0, 1]);
    const text = store.text().split('\n');
    expect(text[1500]).toBe('[lines 1500..1599 are missing]');
    expect(text.length).toBe(2902);
  });

  it('filters by text and instance incrementally; gaps always show', () => {
    const store = new LogStore();
    store.append([
      line(0, 'epoch 1 loss=0.5', 0),
      line(1, 'epoch 1 loss=0.6', 1),
      { type: 'gap', from: 2, to: 4 },
    ]);
    const rows = new FilteredRows(store, { search: 'LOSS=0.6', instance: undefined });
    rows.update();
    expect(rows.all).toBe(false);
    expect([rows.length, rows.row(0), rows.row(1)]).toEqual([2, 1, 2]);
    store.append([line(5, 'loss=0.6 again', 0), line(6, 'nothing', 1)]);
    rows.update();
    expect(rows.length).toBe(3);
    expect(rows.text()).toBe('epoch 1 loss=0.6\n[lines 2..4 are missing]\nloss=0.6 again\n');

    const instanceOne = new FilteredRows(store, { search: '', instance: 1 });
    instanceOne.update();
    expect(Array.from({ length: instanceOne.length }, (_, i) => store.id(instanceOne.row(i)))).toEqual([
      1, 2, 6,
    ]);

    const everything = new FilteredRows(store, { search: '', instance: undefined });
    expect(everything.all).toBe(true);
    expect(everything.length).toBe(store.length);
  });
});

describe('chart data', () => {
  it('metric points: by step when given, ascending, a late point in its place; new series objects only where changed', () => {
    const first = addMetricPoints(new Map(), [
      { name: 'loss', value: 0.5, step: 2 },
      { name: 'loss', value: 0.9, step: 1 },
      { name: 'accuracy', value: 0.7, time: '2026-01-01T00:00:01Z' },
      { name: 'accuracy', value: Number.NaN, time: '2026-01-01T00:00:02Z' },
    ]);
    expect(first.get('loss')).toEqual({ name: 'loss', byStep: true, xs: [1, 2], ys: [0.9, 0.5] });
    expect(first.get('accuracy')).toMatchObject({
      byStep: false,
      xs: [Date.parse('2026-01-01T00:00:01Z') / 1000],
      ys: [0.7],
    });
    const second = addMetricPoints(first, [{ name: 'loss', value: 0.4, step: 3 }]);
    expect(second.get('loss')!.xs).toEqual([1, 2, 3]);
    expect(first.get('loss')!.xs).toEqual([1, 2]);
    expect(second.get('accuracy')).toBe(first.get('accuracy'));
  });

  it('resource samples: one x axis for every instance, holes where an instance has no sample, GPU only when sent', () => {
    const charts = resourceCharts([
      { time: 1_700_000_000_000, instance: 0, cpu: 0.5, memory: 100 },
      { time: 1_700_000_001_000, instance: 1, cpu: 1.5, memory: 300 },
      { time: 1_700_000_001_000, instance: 0, cpu: 0.7, memory: 200 },
    ]);
    expect(charts.cpu).toEqual({
      labels: ['instance 0', 'instance 1'],
      data: [
        [1_700_000_000, 1_700_000_001],
        [0.5, 0.7],
        [null, 1.5],
      ],
    });
    expect(charts.memory.data).toEqual([
      [1_700_000_000, 1_700_000_001],
      [100, 200],
      [null, 300],
    ]);
    expect(charts.gpu).toBeUndefined();
    expect(
      resourceCharts([{ time: '2026-01-01T00:00:00Z', instance: 0, cpu: 0, memory: 0, gpu: 1 }]).gpu?.data,
    ).toEqual([[Date.parse('2026-01-01T00:00:00Z') / 1000], [1]]);
  });

  it('reads the platform timestamps: ms, s, numeric strings, ISO', () => {
    expect(toMs(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(toMs(1_700_000_000)).toBe(1_700_000_000_000);
    expect(toMs('1700000000')).toBe(1_700_000_000_000);
    expect(toMs('2026-01-01T00:00:00Z')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(toMs('soon')).toBeUndefined();
    expect(toMs(undefined)).toBeUndefined();
  });
});
