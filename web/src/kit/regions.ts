// The regions of the caller's scope (cities and counties) as a lookup: names next to codes and
// the city filters of the enterprise, statistics and data-quality pages. Loaded once per session.
import { get } from '../api/client';
import type { ListOf, RegionsRow } from '../api/types';

export interface Regions {
  byCode: Map<string, RegionsRow>;
  cities: RegionsRow[];
}

let cached: Promise<Regions> | null = null;

export function buildRegions(rows: RegionsRow[]): Regions {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const cities = rows.filter((r) => r.level === 'city').sort((a, b) => a.code.localeCompare(b.code));
  return { byCode, cities };
}

/** "太原市 · 小店区" for a county, the city's name for a city, the code when unknown. */
export function regionPath(regions: Regions | null, code: string | null | undefined): string {
  if (!code) return '';
  const r = regions?.byCode.get(code);
  if (!r) return code;
  if (r.level === 'county' && r.parent_code) {
    const p = regions?.byCode.get(r.parent_code);
    if (p) return `${p.name} · ${r.name}`;
  }
  return r.name;
}

export function loadRegions(): Promise<Regions> {
  if (!cached) {
    cached = get<ListOf<RegionsRow>>('/api/v1/regions', { limit: 500 })
      .then((l) => buildRegions(l.items))
      .catch((e) => {
        cached = null;
        throw e;
      });
  }
  return cached;
}
