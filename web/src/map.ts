// The overview map's logic, kept apart from ECharts so that it can be tested: where each
// enterprise goes (its coordinates, or its city's centre spread a little until coordinates are
// entered), its colour (worst open warning level, grey when offline), and clustering by a grid
// whose cell shrinks as the map zooms in, each cluster coloured by its worst member.
import { LEVEL_COLORS, NORMAL_COLOR, OFFLINE_COLOR } from './format';
import type { components } from './api/schema';

export type OverviewEnterprise = components['schemas']['OverviewEnterprise'];

export interface GeoFeature {
  type: 'Feature';
  properties: { name: string; adcode?: string | number; center?: [number, number]; cp?: [number, number] } & Record<string, unknown>;
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}
export interface GeoJson {
  type: 'FeatureCollection';
  features: GeoFeature[];
}

export interface CityCentre {
  name: string;
  code: string | null;
  lon: number;
  lat: number;
}

/** Centre of each city of the map: its `center`/`cp` property, or the middle of its outline's box. */
export function cityCentres(geo: GeoJson): CityCentre[] {
  return geo.features.map((f) => {
    const c = f.properties.center ?? f.properties.cp;
    let lon: number;
    let lat: number;
    if (Array.isArray(c) && c.length >= 2) [lon, lat] = c;
    else {
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      const visit = (v: unknown): void => {
        if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') {
          minX = Math.min(minX, v[0]); maxX = Math.max(maxX, v[0]);
          minY = Math.min(minY, v[1]); maxY = Math.max(maxY, v[1]);
        } else if (Array.isArray(v)) v.forEach(visit);
      };
      visit(f.geometry.coordinates);
      lon = (minX + maxX) / 2;
      lat = (minY + maxY) / 2;
    }
    const code = f.properties.adcode != null ? String(f.properties.adcode) : null;
    return { name: f.properties.name, code, lon, lat };
  });
}

/** The four-step severity of a marker, worst first: red, orange, yellow, blue, offline, normal. */
export type Severity = 'red' | 'orange' | 'yellow' | 'blue' | 'offline' | 'normal';
const SEVERITY_RANK: Record<Severity, number> = { red: 6, orange: 5, yellow: 4, blue: 3, offline: 2, normal: 1 };

export function severityOf(e: Pick<OverviewEnterprise, 'worst_level' | 'online'>): Severity {
  if (e.worst_level) return e.worst_level;
  return e.online ? 'normal' : 'offline';
}

export function severityColor(s: Severity): string {
  if (s === 'offline') return OFFLINE_COLOR;
  if (s === 'normal') return NORMAL_COLOR;
  return LEVEL_COLORS[s];
}

export function worstSeverity(list: Iterable<Severity>): Severity {
  let w: Severity = 'normal';
  for (const s of list) if (SEVERITY_RANK[s] > SEVERITY_RANK[w]) w = s;
  return w;
}

export const SEVERITY_LABELS: Record<Severity, string> = {
  red: '红色预警',
  orange: '橙色预警',
  yellow: '黄色预警',
  blue: '蓝色预警',
  offline: '离线',
  normal: '正常',
};

export interface Marker {
  code: string;
  name: string;
  cityName: string;
  lon: number;
  lat: number;
  /** True when placed near its city's centre because it has no coordinates yet. */
  approximate: boolean;
  severity: Severity;
  openAlarms: number;
  /** Special work in progress (特殊作业): hot work and confined space. */
  hotWork: number;
  confinedSpace: number;
  openWarnings: number;
  online: boolean;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Places the enterprises: by lon/lat, else around their city's centre on a golden-angle spiral
 * (stable: the same enterprise gets the same spot on every refresh); null for an unknown city. */
export function placeEnterprises(list: OverviewEnterprise[], centres: CityCentre[], spreadDeg = 0.05): Marker[] {
  const byCode = new Map(centres.filter((c) => c.code).map((c) => [c.code as string, c]));
  const byName = new Map(centres.map((c) => [c.name, c]));
  const perCity = new Map<string, OverviewEnterprise[]>();
  for (const e of list) {
    if (e.lon != null && e.lat != null) continue;
    const k = e.city_code;
    if (!perCity.has(k)) perCity.set(k, []);
    perCity.get(k)!.push(e);
  }
  const slot = new Map<string, number>();
  for (const group of perCity.values()) {
    group.sort((a, b) => hash(a.company_code) - hash(b.company_code) || a.company_code.localeCompare(b.company_code));
    group.forEach((e, i) => slot.set(e.company_code, i));
  }
  const out: Marker[] = [];
  for (const e of list) {
    let lon = e.lon;
    let lat = e.lat;
    let approximate = false;
    if (lon == null || lat == null) {
      const c = byCode.get(e.city_code) ?? (e.city_name ? byName.get(e.city_name) : undefined);
      if (!c) continue;
      const i = slot.get(e.company_code) ?? 0;
      const r = spreadDeg * Math.sqrt(i + 0.5);
      const a = i * 2.399963;
      lon = c.lon + r * Math.cos(a);
      lat = c.lat + r * Math.sin(a) * 0.8;
      approximate = true;
    }
    out.push({
      code: e.company_code,
      name: e.name,
      cityName: e.city_name ?? '',
      lon,
      lat,
      approximate,
      severity: severityOf(e),
      openAlarms: e.open_alarms,
      openWarnings: e.open_warnings,
      online: e.online,
      hotWork: e.hot_work ?? 0,
      confinedSpace: e.confined_space ?? 0,
    });
  }
  return out;
}

export interface Cluster {
  lon: number;
  lat: number;
  members: Marker[];
  severity: Severity;
  color: string;
}

/** Groups markers that fall into the same grid cell of `cellDeg` degrees; a cell with one marker
 * is that marker. The cluster sits at its members' mean position and takes the worst colour. */
export function clusterMarkers(markers: Marker[], cellDeg: number): Cluster[] {
  const cells = new Map<string, Marker[]>();
  for (const m of markers) {
    const k = cellDeg > 0 ? `${Math.floor(m.lon / cellDeg)}:${Math.floor(m.lat / cellDeg)}` : m.code;
    const list = cells.get(k);
    if (list) list.push(m);
    else cells.set(k, [m]);
  }
  const out: Cluster[] = [];
  for (const members of cells.values()) {
    const lon = members.reduce((s, m) => s + m.lon, 0) / members.length;
    const lat = members.reduce((s, m) => s + m.lat, 0) / members.length;
    const severity = worstSeverity(members.map((m) => m.severity));
    out.push({ lon, lat, members, severity, color: severityColor(severity) });
  }
  // Worst drawn last (on top).
  out.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  return out;
}

/** Grid cell for a zoom level of the map (1 = the whole province): about 0.4° at 1, none from 8. */
export function cellForZoom(zoom: number): number {
  if (zoom >= 8) return 0;
  return 0.4 / Math.max(1, zoom);
}

/** The clusters as a keyboard reaches them (the list beside the map): those of several
 * enterprises, worst first, then larger first; each with a label of its cities and its members
 * worst first. */
export function clusterEntries(clusters: Cluster[]): { key: string; label: string; cluster: Cluster; members: Marker[] }[] {
  return clusters
    .filter((c) => c.members.length > 1)
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.members.length - a.members.length)
    .map((c) => {
      const cities = [...new Set(c.members.map((m) => m.cityName).filter(Boolean))];
      const where = cities.length > 2 ? `${cities.slice(0, 2).join('、')}等` : cities.join('、') || '未知地区';
      const members = [...c.members].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.name.localeCompare(b.name, 'zh-CN'));
      return { key: members.map((m) => m.code).join(','), label: `${where} · ${c.members.length} 家企业 · ${SEVERITY_LABELS[c.severity]}`, cluster: c, members };
    });
}
