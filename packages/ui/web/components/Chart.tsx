/**
 * A live, zoomable line chart (uPlot): drag across it to zoom into a stretch,
 * double-click to see everything again. New data keeps flowing in; while zoomed
 * the view stays where the user put it.
 * @module
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** The series colours, in order (instances, monitors). */
export const PALETTE = [
  '#2563eb',
  '#16a34a',
  '#d97706',
  '#9333ea',
  '#dc2626',
  '#0891b2',
  '#4b5563',
  '#db2777',
];

/** Height of a chart's plotting area, px. */
const CHART_HEIGHT = 150;

export interface ChartProps {
  readonly title: string;
  /** One label per y series (data[1..]). */
  readonly labels: readonly string[];
  /** `[xs, ys1, ys2, …]`, xs ascending. */
  readonly data: uPlot.AlignedData;
  /** x is a time in seconds (a time axis) rather than a step number. */
  readonly time: boolean;
  /** How y values read on the axis and in the legend. */
  readonly format?: (value: number) => string;
  readonly xLabel?: string;
}

export function Chart({ title, labels, data, time, format, xLabel }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const zoomed = useRef(false);
  const shape = `${time}|${labels.join('\u0000')}`;

  useEffect(() => {
    const element = box.current!;
    const yValue = (_: uPlot, value: number | null) =>
      value === null ? '–' : format ? format(value) : String(value);
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: CHART_HEIGHT,
      scales: { x: { time } },
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { show: labels.length > 1, live: true },
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' }, label: xLabel },
        {
          stroke: '#64748b',
          grid: { stroke: '#eef2f7' },
          ticks: { stroke: '#e2e8f0' },
          size: 60,
          values: (_u, values) => values.map((v) => (format ? format(v) : String(v))),
        },
      ],
      series: [
        { label: time ? 'time' : (xLabel ?? 'step') },
        ...labels.map((label, i) => ({
          label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: { size: 5 },
          value: yValue,
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 0) zoomed.current = true;
          },
        ],
      },
    };
    const chart = new uPlot(options, data, element);
    plot.current = chart;
    const unzoom = () => {
      zoomed.current = false;
    };
    chart.over.addEventListener('dblclick', unzoom);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(element.clientWidth, 200), height: CHART_HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.over.removeEventListener('dblclick', unzoom);
      chart.destroy();
      plot.current = undefined;
    };
    // a chart is rebuilt only when its series change; data flows in below
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data, !zoomed.current);
  }, [data]);

  const points = data[0].length;
  return (
    <figure class="chart" data-chart={title} data-points={points}>
      <figcaption>
        {title}
        <span class="muted"> · {points.toLocaleString('en')} points</span>
      </figcaption>
      <div ref={box} class="chart-plot" />
    </figure>
  );
}
