import { describe, expect, it } from 'vitest';
import { cellForZoom, cityCentres, clusterEntries, clusterMarkers, placeEnterprises, severityOf, worstSeverity, type GeoJson, type OverviewEnterprise } from '../src/map';
import { LEVEL_COLORS, OFFLINE_COLOR, NORMAL_COLOR } from '../src/format';
import { readFileSync } from 'node:fs';

const geo = JSON.parse(readFileSync(new URL('../public/maps/shanxi.geojson', import.meta.url), 'utf8')) as GeoJson;

function ent(code: string, over: Partial<OverviewEnterprise> = {}): OverviewEnterprise {
  return {
    company_code: code, name: '企业' + code, city_code: '140100', city_name: '太原市', county_code: null, county_name: null,
    lon: null, lat: null, worst_level: null, online: true, open_alarms: 0, open_warnings: 0, ...over,
  };
}

describe('the shipped map', () => {
  it('is 山西 with its 11 cities (not 陕西), each with its division code', () => {
    const c = cityCentres(geo);
    expect(c).toHaveLength(11);
    expect(c.map((x) => x.code).sort()).toEqual(['140100', '140200', '140300', '140400', '140500', '140600', '140700', '140800', '140900', '141000', '141100']);
    expect(c.map((x) => x.name)).toContain('太原市');
    expect(c.map((x) => x.name)).not.toContain('西安市');
    const ty = c.find((x) => x.name === '太原市')!;
    expect(ty.lon).toBeGreaterThan(112);
    expect(ty.lon).toBeLessThan(113);
    expect(ty.lat).toBeGreaterThan(37.5);
    expect(ty.lat).toBeLessThan(38.2);
  });
  it('computes a centre from the outline when a replacement map has none', () => {
    const g: GeoJson = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'X' }, geometry: { type: 'Polygon', coordinates: [[[110, 36], [112, 36], [112, 38], [110, 38], [110, 36]]] } }] };
    expect(cityCentres(g)[0]).toMatchObject({ lon: 111, lat: 37, code: null });
  });
});

describe('placing enterprises', () => {
  const centres = cityCentres(geo);
  it('uses coordinates when entered', () => {
    const [m] = placeEnterprises([ent('14010010001', { lon: 112.1, lat: 37.2 })], centres);
    expect(m).toMatchObject({ lon: 112.1, lat: 37.2, approximate: false });
  });
  it('puts enterprises without coordinates near their city centre, spread and stable', () => {
    const list = [ent('14010010001'), ent('14010010002'), ent('14010010003')];
    const a = placeEnterprises(list, centres);
    const b = placeEnterprises([...list].reverse(), centres);
    const ty = centres.find((x) => x.code === '140100')!;
    for (const m of a) {
      expect(m.approximate).toBe(true);
      expect(Math.hypot(m.lon - ty.lon, m.lat - ty.lat)).toBeLessThan(0.2);
    }
    expect(new Set(a.map((m) => `${m.lon},${m.lat}`)).size).toBe(3);
    for (const m of a) expect(b.find((x) => x.code === m.code)).toMatchObject({ lon: m.lon, lat: m.lat });
  });
  it('finds the city by name when the map has no codes, and leaves out an unknown city', () => {
    const noCodes = centres.map((c) => ({ ...c, code: null }));
    expect(placeEnterprises([ent('1')], noCodes)).toHaveLength(1);
    expect(placeEnterprises([ent('2', { city_code: '610100', city_name: '西安市' })], centres)).toHaveLength(0);
  });
});

describe('colours and clusters', () => {
  it('colours by the worst open warning level, grey offline, green otherwise', () => {
    expect(severityOf({ worst_level: 'orange', online: false })).toBe('orange');
    expect(severityOf({ worst_level: null, online: false })).toBe('offline');
    expect(severityOf({ worst_level: null, online: true })).toBe('normal');
  });
  it('ranks red > orange > yellow > blue > offline > normal', () => {
    expect(worstSeverity(['normal', 'offline'])).toBe('offline');
    expect(worstSeverity(['blue', 'offline', 'yellow'])).toBe('yellow');
    expect(worstSeverity(['orange', 'red', 'normal'])).toBe('red');
    expect(worstSeverity([])).toBe('normal');
  });
  it('a cluster takes its worst member colour', () => {
    const centres = cityCentres(geo);
    const markers = placeEnterprises(
      [ent('a'), ent('b', { online: false }), ent('c', { worst_level: 'yellow' }), ent('d', { worst_level: 'red', online: false })],
      centres,
    );
    const one = clusterMarkers(markers, 5);
    expect(one).toHaveLength(1);
    expect(one[0].members).toHaveLength(4);
    expect(one[0].color).toBe(LEVEL_COLORS.red);
    const grey = clusterMarkers(markers.filter((m) => m.code === 'a' || m.code === 'b'), 5);
    expect(grey[0].color).toBe(OFFLINE_COLOR);
    const single = clusterMarkers(markers.filter((m) => m.code === 'a'), 5);
    expect(single[0].color).toBe(NORMAL_COLOR);
  });
  it('splits clusters as the map zooms in', () => {
    const centres = cityCentres(geo);
    const markers = placeEnterprises(Array.from({ length: 30 }, (_, i) => ent('e' + i)), centres);
    expect(clusterMarkers(markers, cellForZoom(1)).length).toBeLessThan(clusterMarkers(markers, cellForZoom(6)).length);
    expect(clusterMarkers(markers, cellForZoom(10))).toHaveLength(30);
  });
});

describe('clusters for the keyboard (the list beside the map)', () => {
  it('lists only clusters of several enterprises, worst first, with their cities, size and members worst first', () => {
    const centres = cityCentres(geo);
    const markers = placeEnterprises(
      [ent('a'), ent('b', { online: false }), ent('c', { worst_level: 'yellow' }), ent('d', { worst_level: 'red', online: false })],
      centres,
    );
    const all = clusterEntries(clusterMarkers(markers, 5));
    expect(all).toHaveLength(1);
    expect(all[0].label).toMatch(/4 家企业 · 红色/);
    expect(all[0].members.map((m) => m.code)).toEqual(['d', 'c', 'b', 'a']);
    expect(clusterEntries(clusterMarkers(markers, cellForZoom(10)))).toHaveLength(0);
  });
});
