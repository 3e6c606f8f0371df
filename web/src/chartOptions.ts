// ECharts options built from API answers (pure functions, tested in tests/charts.test.ts).
// Tooltips render as rich text on the canvas: ECharts' HTML tooltips carry inline style
// attributes, which hazmond's Content-Security-Policy (style-src 'self') refuses.
import type { EChartsOption } from './charts';
import type { components } from './api/schema';
import { LEVEL_COLORS, formatNumber, formatShort, formatTime } from './format';

type S = components['schemas'];
export type StatisticsTrend = S['StatisticsTrend'];

const AXIS = { axisLine: { lineStyle: { color: '#4c6a92' } }, axisLabel: { color: '#9fb0c8', fontSize: 11 }, splitLine: { lineStyle: { color: '#223a5c' } } };
const SERIES_COLORS: Record<string, string> = {
  ...LEVEL_COLORS,
  HH: '#e02020', LL: '#b5179e', H: '#ff7a00', L: '#f5c400', SWITCH: '#7b61ff',
  OUT_OF_RANGE: '#00bcd4', OFFLINE: '#8a8f98', FROZEN: '#5c7cfa', DEVICE_FAULT: '#a1887f', GATEWAY_OFFLINE: '#607d8b',
};

export const RICH_TOOLTIP = { renderMode: 'richText' as const, confine: true, backgroundColor: 'rgba(12,22,38,0.92)', borderColor: '#3a5a88', textStyle: { color: '#e6edf7', fontSize: 12 } };

/** Stacked bars per bucket, one series per key with any count in the range (all when empty). */
export function trendOption(t: StatisticsTrend, opts: { compact?: boolean } = {}): EChartsOption {
  const used = t.series.filter((s) => (t.totals.counts[s.key] ?? 0) > 0);
  const series = (used.length ? used : t.series.slice(0, 1)).map((s) => ({
    name: s.name,
    type: 'bar' as const,
    stack: 'n',
    barMaxWidth: 18,
    itemStyle: { color: SERIES_COLORS[s.key] },
    data: t.buckets.map((b) => b.counts[s.key] ?? 0),
  }));
  const hourly = t.filters.bucket === 'hour';
  return {
    tooltip: { ...RICH_TOOLTIP, trigger: 'axis' },
    legend: { show: !opts.compact && series.length > 1, top: 0, textStyle: { color: '#9fb0c8', fontSize: 11 }, itemWidth: 10, itemHeight: 8 },
    grid: { left: 36, right: 10, top: opts.compact || series.length <= 1 ? 10 : 28, bottom: 22 },
    xAxis: { type: 'category', data: t.buckets.map((b) => (hourly ? b.label.slice(11, 13) + '时' : b.label.slice(5))), ...AXIS, splitLine: { show: false } },
    yAxis: { type: 'value', minInterval: 1, ...AXIS },
    series,
  };
}

export interface TrendPoint {
  t: number;
  v: number;
}
export interface Thresholds {
  ll?: number | null;
  l?: number | null;
  h?: number | null;
  hh?: number | null;
}

/** A point's values around an alarm: raw readings and minute means, thresholds as mark lines, the
 * alarm's span as a shaded area. */
export function pointTrendOption(args: {
  raw: TrendPoint[];
  minute?: { t: number; min: number; max: number; mean: number }[];
  thresholds: Thresholds;
  unit?: string | null;
  alarmStart?: number | null;
  alarmEnd?: number | null;
  /** The requested range (the axis spans it even where there are few readings). */
  from?: number | null;
  to?: number | null;
}): EChartsOption {
  const lines: { name: string; yAxis: number; lineStyle: { color: string; type: 'dashed' | 'solid' }; label: { formatter: string; color: string } }[] = [];
  const add = (key: keyof Thresholds, name: string, color: string) => {
    const v = args.thresholds[key];
    if (v != null && Number.isFinite(v)) lines.push({ name, yAxis: v, lineStyle: { color, type: 'dashed' }, label: { formatter: `${name} ${formatNumber(v)}`, color } });
  };
  add('hh', '高高报', '#e02020');
  add('h', '高报', '#ff7a00');
  add('l', '低报', '#f5c400');
  add('ll', '低低报', '#b5179e');
  const area =
    args.alarmStart != null
      ? [[{ xAxis: args.alarmStart, itemStyle: { color: 'rgba(224,32,32,0.15)' } }, { xAxis: args.alarmEnd ?? Date.now() }]]
      : [];
  // Raw readings always show: with few of them each is a filled dot (a line through one point
  // draws nothing, and ECharts' default hollow 4 px symbol all but vanishes on the dark panel).
  const few = args.raw.length < 60;
  const series: unknown[] = [
    {
      name: '实时值',
      type: 'line',
      showSymbol: few,
      showAllSymbol: few ? true : 'auto',
      symbol: 'circle',
      symbolSize: args.raw.length <= 3 ? 8 : 5,
      lineStyle: { width: 1.5, color: '#3aa0ff' },
      itemStyle: { color: '#3aa0ff' },
      data: args.raw.map((p) => [p.t, p.v]),
      markLine: { silent: true, symbol: 'none', data: lines },
      markArea: { silent: true, data: area },
    },
  ];
  if (args.minute?.length) {
    series.push({
      name: '分钟均值',
      type: 'line',
      showSymbol: false,
      lineStyle: { width: 1, color: '#22b573', type: 'dotted' },
      itemStyle: { color: '#22b573' },
      data: args.minute.map((p) => [p.t, p.mean]),
    });
    series.push({
      name: '分钟最大值',
      type: 'line',
      showSymbol: false,
      lineStyle: { width: 0.8, color: '#ff7a00', opacity: 0.6 },
      itemStyle: { color: '#ff7a00' },
      data: args.minute.map((p) => [p.t, p.max]),
    });
  }
  const values = [...args.raw.map((p) => p.v), ...lines.map((l) => l.yAxis), ...(args.minute ?? []).map((m) => m.max)];
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const pad = (hi - lo) * 0.1 || 1;
  const step = niceStep(hi - lo + 2 * pad);
  return {
    // No drawing animation: the line's clip animation reveals readings from left to right, so a
    // lone reading at the right edge (the alarm's own) appeared last, and a reload (not-merge)
    // started it over: the trend looked empty for a second after every refresh.
    animation: false,
    tooltip: { ...RICH_TOOLTIP, trigger: 'axis', valueFormatter: (v: unknown) => formatNumber(Number(v)) + (args.unit ? ' ' + args.unit : '') },
    legend: { top: 0, textStyle: { color: '#9fb0c8', fontSize: 11 } },
    grid: { left: 56, right: 80, top: 30, bottom: 50 },
    xAxis: {
      type: 'time',
      min: args.from ?? undefined,
      max: args.to ?? undefined,
      ...AXIS,
      axisLabel: { ...AXIS.axisLabel, formatter: (v: number) => formatShort(v) },
      splitLine: { show: false },
    },
    yAxis: { type: 'value', name: args.unit ?? '', min: roundTo(lo - pad, step, Math.floor), max: roundTo(hi + pad, step, Math.ceil), ...AXIS },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 8, labelFormatter: (v: number) => formatTime(v) }],
    series: series as EChartsOption['series'],
  };
}

/** A round step (1, 2 or 5 × 10^n) about a tenth of `span`. */
export function niceStep(span: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / 10;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}
function roundTo(v: number, step: number, fn: (x: number) => number): number {
  return Number((fn(v / step) * step).toPrecision(12));
}

/** Open warnings by level as a ring. */
export function levelRingOption(counts: { red: number; orange: number; yellow: number; blue: number }): EChartsOption {
  const data = (['red', 'orange', 'yellow', 'blue'] as const).map((k) => ({
    name: { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' }[k],
    value: counts[k],
    itemStyle: { color: LEVEL_COLORS[k] },
  }));
  return {
    tooltip: { ...RICH_TOOLTIP, trigger: 'item' },
    series: [{ type: 'pie', radius: ['50%', '78%'], label: { color: '#e6edf7', formatter: '{b} {c}' }, data }],
  };
}
