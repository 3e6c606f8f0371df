// Tables of the statistics and data-quality APIs turned into ECharts options (pure functions,
// tested in tests/statCharts.test.ts). Tooltips are rich text: ECharts' HTML tooltips carry
// inline styles, which hazmond's Content-Security-Policy refuses.
import type { EChartsOption } from '../charts';
import type { components } from '../api/schema';
import { formatPercent, formatShort as formatBeijingShort } from '../format';

type S = components['schemas'];
export type StatisticsGrouped = S['StatisticsGrouped'];

/** Rich-text tooltips on the canvas (no inline style attributes). */
export const RICH_TOOLTIP = { renderMode: 'richText' as const, confine: true, backgroundColor: 'rgba(12,22,38,0.92)', borderColor: '#3a5a88', textStyle: { color: '#e6edf7', fontSize: 12 } };
export const AXIS = { axisLine: { lineStyle: { color: '#4c6a92' } }, axisLabel: { color: '#9fb0c8', fontSize: 11 }, splitLine: { lineStyle: { color: '#223a5c' } } };
const PALETTE = ['#3aa0ff', '#ff7a00', '#22b573', '#e02020', '#f5c400', '#7b61ff', '#00bcd4', '#b5179e', '#a1887f', '#607d8b'];
const KEY_COLORS: Record<string, string> = {
  red: '#e02020', orange: '#ff7a00', yellow: '#f5c400', blue: '#1e6fff',
  HH: '#e02020', LL: '#b5179e', H: '#ff7a00', L: '#f5c400', SWITCH: '#7b61ff',
  OUT_OF_RANGE: '#00bcd4', OFFLINE: '#8a8f98', FROZEN: '#5c7cfa', DEVICE_FAULT: '#a1887f', GATEWAY_OFFLINE: '#607d8b',
};
const colorOf = (key: string, i: number) => KEY_COLORS[key] ?? PALETTE[i % PALETTE.length];

/** The breakdown keys that have a count anywhere in the table, in the API's order. */
export function usedKeys(g: Pick<StatisticsGrouped, 'breakdown_keys' | 'totals'>): S['StatisticsKey'][] {
  return g.breakdown_keys.filter((k) => (g.totals.breakdown[k.key] ?? 0) > 0);
}

/** A row's label: the name, with the city when rows are enterprises or hazard sources of several cities. */
export function rowLabel(r: Pick<S['StatisticsRow'], 'name' | 'key'>): string {
  return r.name || r.key || '（未知）';
}

/** Stacked bars of the first `max` ranked rows, one series per breakdown key in use (the count
 * alone when the table has no breakdown). */
export function groupedBarOption(g: StatisticsGrouped, max = 15): EChartsOption {
  const rows = g.rows.slice(0, max);
  const keys = usedKeys(g);
  const series = keys.length
    ? keys.map((k, i) => ({
        name: k.name,
        type: 'bar' as const,
        stack: 'n',
        barMaxWidth: 22,
        itemStyle: { color: colorOf(k.key, i) },
        data: rows.map((r) => r.breakdown[k.key] ?? 0),
      }))
    : [{ name: '数量', type: 'bar' as const, barMaxWidth: 22, itemStyle: { color: PALETTE[0] }, data: rows.map((r) => r.count) }];
  return {
    tooltip: { ...RICH_TOOLTIP, trigger: 'axis' },
    legend: { show: series.length > 1, top: 0, textStyle: { color: '#9fb0c8', fontSize: 11 } },
    grid: { left: 40, right: 12, top: series.length > 1 ? 30 : 12, bottom: 60 },
    xAxis: { type: 'category', data: rows.map(rowLabel), ...AXIS, axisLabel: { ...AXIS.axisLabel, rotate: rows.length > 6 ? 30 : 0, interval: 0, width: 90, overflow: 'truncate' }, splitLine: { show: false } },
    yAxis: { type: 'value', minInterval: 1, ...AXIS },
    series,
  };
}

/** One line per breakdown key in use (or the count) over the periods (day, week, month). */
export function periodLineOption(g: StatisticsGrouped): EChartsOption {
  const keys = usedKeys(g);
  const periods = g.periods;
  const series = [
    { name: '合计', type: 'line' as const, smooth: false, symbolSize: 5, lineStyle: { width: 2 }, itemStyle: { color: '#e6edf7' }, data: periods.map((p) => p.count) },
    ...keys.map((k, i) => ({
      name: k.name,
      type: 'line' as const,
      symbolSize: 4,
      itemStyle: { color: colorOf(k.key, i) },
      data: periods.map((p) => p.breakdown[k.key] ?? 0),
    })),
  ];
  return {
    tooltip: { ...RICH_TOOLTIP, trigger: 'axis' },
    legend: { top: 0, textStyle: { color: '#9fb0c8', fontSize: 11 } },
    grid: { left: 40, right: 12, top: 30, bottom: 28 },
    xAxis: { type: 'category', data: periods.map((p) => p.period), ...AXIS, splitLine: { show: false } },
    yAxis: { type: 'value', minInterval: 1, ...AXIS },
    series,
  };
}

export interface RateItem {
  name: string;
  rate: number | null | undefined;
}

/** Horizontal bars of a ratio (0..1) per row, worst at the top, with the target as a line;
 * bars under the target are red. Rows without a rate are left out. */
export function rateBarOption(items: RateItem[], opts: { target?: number; title?: string; max?: number; lowIsBad?: boolean } = {}): EChartsOption {
  const lowIsBad = opts.lowIsBad ?? true;
  const rows = items
    .filter((i): i is { name: string; rate: number } => typeof i.rate === 'number' && Number.isFinite(i.rate))
    .sort((a, b) => (lowIsBad ? a.rate - b.rate : b.rate - a.rate))
    .slice(0, opts.max ?? 15)
    .reverse();
  const target = opts.target;
  const bad = (r: number) => target != null && (lowIsBad ? r < target : r > target);
  const lo = rows.length ? Math.min(...rows.map((r) => r.rate), target ?? 1) : 0;
  return {
    tooltip: { ...RICH_TOOLTIP, trigger: 'axis', valueFormatter: (v: unknown) => formatPercent(Number(v) / 100, 2) },
    grid: { left: 130, right: 40, top: 10, bottom: 24 },
    xAxis: { type: 'value', min: lowIsBad ? Math.max(0, Math.floor(lo * 100) - 1) : 0, max: lowIsBad ? 100 : undefined, ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: '{value}%' } },
    yAxis: { type: 'category', data: rows.map((r) => r.name), ...AXIS, axisLabel: { ...AXIS.axisLabel, width: 120, overflow: 'truncate' } },
    series: [
      {
        name: opts.title ?? '比率',
        type: 'bar',
        barMaxWidth: 14,
        data: rows.map((r) => ({ value: Math.round(r.rate * 10000) / 100, itemStyle: { color: bad(r.rate) ? '#e02020' : '#22b573' } })),
        markLine:
          target != null
            ? { silent: true, symbol: 'none', lineStyle: { color: '#f5c400', type: 'dashed' }, label: { color: '#f5c400', formatter: `目标 ${formatPercent(target, 1)}` }, data: [{ xAxis: target * 100 }] }
            : undefined,
      },
    ],
  };
}

export interface PointSample {
  t: number;
  v: number;
}

/** A point's readings as a line with its alarm thresholds (HH/H/L/LL) as dashed lines; the value
 * axis spans the readings and the thresholds. */
export function pointLineOption(samples: PointSample[], th: { ll?: number | null; l?: number | null; h?: number | null; hh?: number | null }, unit?: string | null): EChartsOption {
  const lines: { yAxis: number; lineStyle: { color: string; type: 'dashed' }; label: { formatter: string; color: string } }[] = [];
  const add = (v: number | null | undefined, name: string, color: string) => {
    if (v != null && Number.isFinite(v)) lines.push({ yAxis: v, lineStyle: { color, type: 'dashed' }, label: { formatter: `${name} ${v}`, color } });
  };
  add(th.hh, '高高报', '#e02020');
  add(th.h, '高报', '#ff7a00');
  add(th.l, '低报', '#f5c400');
  add(th.ll, '低低报', '#b5179e');
  const values = [...samples.map((s) => s.v), ...lines.map((l) => l.yAxis)];
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const pad = (hi - lo) * 0.08 || 1;
  return {
    tooltip: { ...RICH_TOOLTIP, trigger: 'axis' },
    grid: { left: 56, right: 90, top: 24, bottom: 46 },
    xAxis: { type: 'time', ...AXIS, axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => formatBeijingShort(v) }, splitLine: { show: false } },
    yAxis: { type: 'value', name: unit ?? '', min: Math.floor((lo - pad) * 100) / 100, max: Math.ceil((hi + pad) * 100) / 100, ...AXIS },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 14, bottom: 6 }],
    series: [
      {
        name: '监测值',
        type: 'line',
        showSymbol: samples.length < 60,
        symbolSize: 4,
        lineStyle: { width: 1.5, color: '#3aa0ff' },
        itemStyle: { color: '#3aa0ff' },
        data: samples.map((s) => [s.t, s.v]),
        markLine: { silent: true, symbol: 'none', data: lines },
      },
    ],
  };
}
