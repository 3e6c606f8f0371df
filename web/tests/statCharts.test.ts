import { describe, expect, it } from 'vitest';
import { groupedBarOption, periodLineOption, pointLineOption, rateBarOption, usedKeys, type StatisticsGrouped } from '../src/kit/statCharts';

const filters = { from: '2026-12-01T00:00:00+08:00', to: '2026-12-07T00:00:00+08:00', from_label: '2026-12-01', to_label: '2026-12-06', region_code: null, company_code: null };
function row(rank: number, key: string, name: string, breakdown: Record<string, number>) {
  const count = Object.values(breakdown).reduce((a, b) => a + b, 0);
  return { rank, key, name, city_code: null, city_name: null, company_code: null, company_name: null, count, open: 0, overdue: null, false_alarm_rate: null, breakdown };
}
const g: StatisticsGrouped = {
  filters,
  breakdown_keys: [
    { key: 'red', name: '红色' },
    { key: 'orange', name: '橙色' },
    { key: 'yellow', name: '黄色' },
  ],
  totals: { count: 9, open: 2, breakdown: { red: 3, orange: 6, yellow: 0 } },
  total_rows: 2,
  rows: [row(1, '140100', '太原市', { red: 2, orange: 4, yellow: 0 }), row(2, '140200', '大同市', { red: 1, orange: 2, yellow: 0 })],
  periods: [
    { period: '2026-12-05', start: '2026-12-05', count: 4, breakdown: { red: 1, orange: 3 } },
    { period: '2026-12-06', start: '2026-12-06', count: 5, breakdown: { red: 2, orange: 3 } },
  ],
};

describe('statistics tables as charts', () => {
  it('keeps only the breakdown keys with counts', () => {
    expect(usedKeys(g).map((k) => k.key)).toEqual(['red', 'orange']);
  });
  it('stacks one bar series per key, rows in ranked order', () => {
    const o = groupedBarOption(g) as { xAxis: { data: string[] }; series: { name: string; data: number[]; stack: string }[] };
    expect(o.xAxis.data).toEqual(['太原市', '大同市']);
    expect(o.series.map((s) => s.name)).toEqual(['红色', '橙色']);
    expect(o.series[0].data).toEqual([2, 1]);
    expect(o.series[1].data).toEqual([4, 2]);
    // The stacked bars add up to each row's count.
    expect(o.series[0].data.map((v, i) => v + o.series[1].data[i])).toEqual(g.rows.map((r) => r.count));
  });
  it('falls back on the count when the table has no breakdown, and caps the rows', () => {
    const many = { ...g, breakdown_keys: [], totals: { ...g.totals, breakdown: {} }, rows: Array.from({ length: 30 }, (_, i) => row(i + 1, String(i), 'E' + i, { x: 30 - i })) };
    const o = groupedBarOption(many, 10) as { xAxis: { data: string[] }; series: { name: string; data: number[] }[] };
    expect(o.series).toHaveLength(1);
    expect(o.series[0].data).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    expect(o.xAxis.data).toHaveLength(10);
  });
  it('draws the total and each key over the periods', () => {
    const o = periodLineOption(g) as { xAxis: { data: string[] }; series: { name: string; data: number[] }[] };
    expect(o.xAxis.data).toEqual(['2026-12-05', '2026-12-06']);
    expect(o.series[0]).toMatchObject({ name: '合计', data: [4, 5] });
    expect(o.series.find((s) => s.name === '橙色')!.data).toEqual([3, 3]);
  });
  it('ranks rates worst first, colours those under the target red, draws the target', () => {
    const o = rateBarOption(
      [
        { name: 'A', rate: 0.999 },
        { name: 'B', rate: 0.97 },
        { name: 'C', rate: null },
        { name: 'D', rate: 0.995 },
      ],
      { target: 0.995 },
    ) as { yAxis: { data: string[] }; series: { data: { value: number; itemStyle: { color: string } }[]; markLine: { data: { xAxis: number }[] } }[] };
    // ECharts draws the category axis bottom-up: the worst (B) ends up on top.
    expect(o.yAxis.data).toEqual(['A', 'D', 'B']);
    expect(o.series[0].data.map((d) => d.value)).toEqual([99.9, 99.5, 97]);
    expect(o.series[0].data.map((d) => d.itemStyle.color)).toEqual(['#22b573', '#22b573', '#e02020']);
    expect(o.series[0].markLine.data[0].xAxis).toBeCloseTo(99.5);
  });
  it('draws a point with its thresholds and a value axis that holds them', () => {
    const o = pointLineOption([{ t: 1, v: 50 }, { t: 2, v: 60 }], { h: 80, hh: 90, l: null }, 'kPa') as {
      yAxis: { min: number; max: number; name: string };
      series: { data: number[][]; markLine: { data: { yAxis: number }[] } }[];
    };
    expect(o.series[0].data).toEqual([[1, 50], [2, 60]]);
    expect(o.series[0].markLine.data.map((d) => d.yAxis)).toEqual([90, 80]);
    expect(o.yAxis.max).toBeGreaterThanOrEqual(90);
    expect(o.yAxis.min).toBeLessThanOrEqual(50);
    expect(o.yAxis.name).toBe('kPa');
  });
});
