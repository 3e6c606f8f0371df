import { describe, expect, it } from 'vitest';
import * as echarts from 'echarts';
import { niceStep, pointTrendOption, trendOption, type StatisticsTrend } from '../src/chartOptions';

describe('the point trend', () => {
  const opt = pointTrendOption({
    raw: [{ t: 1000, v: 19.5 }],
    thresholds: { hh: 18, h: 15, l: 2, ll: null },
    unit: 'm',
    alarmStart: 1000,
    alarmEnd: null,
    from: 0,
    to: 5000,
  }) as { series: { markLine?: { data: { yAxis: number; name: string }[] } }[]; xAxis: { min: number; max: number }; yAxis: { min: number; max: number }; tooltip: { renderMode: string } };
  it('draws the thresholds that are set as mark lines', () => {
    const lines = opt.series[0].markLine!.data;
    expect(lines.map((l) => [l.name, l.yAxis])).toEqual([['高高报', 18], ['高报', 15], ['低报', 2]]);
  });
  it('spans the requested range and a round value range covering values and thresholds', () => {
    expect(opt.xAxis).toMatchObject({ min: 0, max: 5000 });
    expect(opt.yAxis.min).toBeLessThanOrEqual(2);
    expect(opt.yAxis.max).toBeGreaterThanOrEqual(19.5);
    expect(Number.isInteger(opt.yAxis.min) && Number.isInteger(opt.yAxis.max)).toBe(true);
  });
  it('uses rich-text tooltips (HTML ones carry inline styles the CSP refuses)', () => {
    expect(opt.tooltip.renderMode).toBe('richText');
  });
  it('picks round steps', () => {
    expect(niceStep(21)).toBe(2);
    expect(niceStep(0.7)).toBe(0.05);
    expect(niceStep(0)).toBe(1);
  });
});

describe('the alarm trend', () => {
  it('stacks only the series with counts and labels hours', () => {
    const t = {
      filters: { bucket: 'hour', from: '', to: '', from_label: '', to_label: '', region_code: null, company_code: null },
      series: [{ key: 'HH', name: '高高报' }, { key: 'H', name: '高报' }],
      buckets: [
        { start: '2026-12-06T00:00:00Z', label: '2026-12-06 08:00', total: 1, counts: { HH: 1, H: 0 } },
        { start: '2026-12-06T01:00:00Z', label: '2026-12-06 09:00', total: 0, counts: { HH: 0, H: 0 } },
      ],
      totals: { total: 1, counts: { HH: 1, H: 0 } },
    } as unknown as StatisticsTrend;
    const o = trendOption(t) as { series: { name: string; data: number[] }[]; xAxis: { data: string[] } };
    expect(o.series.map((s) => s.name)).toEqual(['高高报']);
    expect(o.series[0].data).toEqual([1, 0]);
    expect(o.xAxis.data).toEqual(['08时', '09时']);
  });
});

describe('the point trend drawn (ECharts server-side SVG)', () => {
  // Each raw reading's symbol carries its data index; a lone reading must be a visible filled dot
  // inside the plot area.
  function symbols(n: number): { fill: string; scale: number; x: number }[] {
    const raw = Array.from({ length: n }, (_, i) => ({ t: 2000 + i * 20, v: 10 + (i % 3) }));
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 800, height: 300 });
    chart.setOption(pointTrendOption({ raw, thresholds: { hh: 18, h: 15, l: 2, ll: null }, unit: 'm', from: 0, to: 5000 }));
    const svg = chart.renderToSVGString();
    chart.dispose();
    return [...svg.matchAll(/<path [^>]*transform="matrix\(([\d.]+),0,0,[\d.]+,([\d.]+),[\d.]+\)"[^>]*fill="([^"]+)"[^>]*ecmeta_series_index="0" ecmeta_data_index="\d+"/g)].map(
      (m) => ({ scale: Number(m[1]), x: Number(m[2]), fill: m[3] }),
    );
  }
  it('is drawn at once, without the animation that revealed the right-most reading last', () => {
    expect((pointTrendOption({ raw: [{ t: 1, v: 1 }], thresholds: { hh: null, h: null, l: null, ll: null } }) as { animation?: boolean }).animation).toBe(false);
  });
  it('draws a single raw reading as a filled dot of at least 6 px inside the plot', () => {
    const s = symbols(1);
    expect(s).toHaveLength(1);
    expect(s[0].fill).toBe('#3aa0ff');
    expect(s[0].scale * 2).toBeGreaterThanOrEqual(6);
    expect(s[0].x).toBeGreaterThan(56);
    expect(s[0].x).toBeLessThan(800 - 80);
  });
  it('draws every reading as a dot while there are few, none when there are many (the line carries them)', () => {
    expect(symbols(2)).toHaveLength(2);
    expect(symbols(40)).toHaveLength(40);
    expect(symbols(100)).toHaveLength(0);
  });
});
