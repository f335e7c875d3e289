/** A line chart (uPlot) of weekly series; the same numbers are always in a table beside it. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLOURS = ['#0a4fa3', '#b35c00', '#11572b', '#8a1c17'];

export interface Series {
  label: string;
  values: (number | null)[];
}

export function WeeklyChart({
  title,
  weeks,
  series,
  percent = false,
  weekLabel,
}: {
  weekLabel: string;
  title: string;
  weeks: string[];
  series: Series[];
  percent?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const xs = weeks.map((_, index) => index);
    const plot = new uPlot(
      {
        width: Math.max(280, Math.min(560, element.clientWidth || 480)),
        height: 220,
        scales: { x: { time: false } },
        axes: [
          {
            values: (_, splits) => splits.map((split) => weeks[split]?.slice(5) ?? ''),
            incrs: [1],
          },
          { values: (_, splits) => splits.map((split) => (percent ? `${split}%` : String(split))) },
        ],
        series: [
          {
            label: weekLabel,
            value: (_: uPlot, index: number | null) => (index === null ? '--' : (weeks[index] ?? '')),
          },
          ...series.map((one, index) => ({
            label: one.label,
            stroke: COLOURS[index % COLOURS.length] as string,
            width: 2,
            points: { size: 6 },
          })),
        ],
        legend: { show: true },
      },
      [xs, ...series.map((one) => one.values)] as uPlot.AlignedData,
      element,
    );
    return () => plot.destroy();
  }, [weeks, series, percent, weekLabel]);
  // The canvas is a picture of the table beside it; screen readers read the table.
  return <div class="chart" ref={host} role="img" aria-label={title} />;
}
