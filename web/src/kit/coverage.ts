// The coverage check of 附件5 §1–§4 on the dashboard (docs/processes.md): labels for the gap
// kinds and statuses, the figures the officers' page and the enterprise page show, derived from
// GET /api/v1/coverage and GET /api/v1/coverage/enterprises/{code}.
import type { components } from '../api/schema';

type S = components['schemas'];
export type CoverageSummary = S['CoverageSummary'];
export type CoverageRegion = S['CoverageRegion'];
export type EnterpriseCoverage = S['EnterpriseCoverage'];
export type CoverageItem = EnterpriseCoverage['items'][number];
export type GapKind = CoverageItem['kind'];
export type CoverageStatus = CoverageItem['status'];
export type GapCounts = S['CoverageGaps'];

/** The gap kinds in the order of 附件5 (§1 processes, §4 plant gas, §2 warehouses, §3 loading). */
export const GAP_KINDS: readonly { key: GapKind; label: string; section: string }[] = [
  { key: 'process_parameter', label: '工艺关键参数', section: '§1' },
  { key: 'sis', label: '安全仪表（SIS）', section: '§1' },
  { key: 'plant_gas', label: '全厂可燃有毒气体', section: '§4' },
  { key: 'warehouse_temperature', label: '仓库温度', section: '§2' },
  { key: 'warehouse_humidity', label: '仓库湿度', section: '§2' },
  { key: 'warehouse_gas', label: '仓库气体', section: '§2' },
  { key: 'loading_leak', label: '装卸区泄漏', section: '§3' },
  { key: 'loading_grounding', label: '装卸区静电接地', section: '§3' },
  { key: 'loading_overflow', label: '装卸区溢油', section: '§3' },
];

export const STATUS_LABELS: Readonly<Record<CoverageStatus, string>> = {
  connected: '已接入',
  stale: '未上报',
  missing: '缺失',
};

export function gapLabel(kind: string): string {
  return GAP_KINDS.find((k) => k.key === kind)?.label ?? kind;
}

/** The non-zero gaps of a region or enterprise, in GAP_KINDS order: "工艺关键参数 4、仓库湿度 1". */
export function gapList(gaps: Partial<Record<string, number>>): { key: string; label: string; count: number }[] {
  return GAP_KINDS.filter((k) => (gaps[k.key] ?? 0) > 0).map((k) => ({ key: k.key, label: k.label, count: gaps[k.key] ?? 0 }));
}

export function gapText(gaps: Partial<Record<string, number>>): string {
  const list = gapList(gaps);
  return list.length ? list.map((g) => `${g.label} ${g.count}`).join('、') : '无';
}

/** Connected requirements over all, as "85.7%"; "—" when nothing is required. */
export function coverageRate(connected: number, required: number): string {
  if (!required) return '—';
  return `${((100 * connected) / required).toFixed(1)}%`;
}

/** Share of checked enterprises with no gap, as "50.0%"; "—" without enterprises. */
export function completeRate(r: Pick<CoverageRegion, 'enterprises' | 'complete'>): string {
  return r.enterprises ? `${((100 * r.complete) / r.enterprises).toFixed(1)}%` : '—';
}

/** Enterprises with the most gaps first (then by code), for the officers' list. */
export function byMostGaps<T extends { company_code: string; required: number; connected: number }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => b.required - b.connected - (a.required - a.connected) || a.company_code.localeCompare(b.company_code));
}

export interface CoverageGroup {
  key: string;
  title: string;
  items: CoverageItem[];
  gaps: number;
}

/**
 * The enterprise page's requirements grouped: one group per process and unit (its parameters and
 * SIS), then plant gas, then one per warehouse or loading cell; gaps (stale or missing) counted.
 * `processNames` maps E15xx codes to names (GET /api/v1/processes).
 */
export function groupItems(items: readonly CoverageItem[], processNames: ReadonlyMap<string, string> = new Map()): CoverageGroup[] {
  const groups = new Map<string, CoverageGroup>();
  for (const item of items) {
    let key: string;
    let title: string;
    if (item.kind === 'process_parameter' || item.kind === 'sis') {
      key = `p:${item.process_code ?? ''}:${item.prodcell_id ?? ''}`;
      const name = processNames.get(item.process_code ?? '') ?? item.process_code ?? '';
      title = `${name}${item.prodcell_id ? `（${item.prodcell_id}）` : '（全厂）'}`;
    } else if (item.kind === 'plant_gas') {
      key = 'gas';
      title = '全厂可燃有毒气体';
    } else {
      const warehouse = item.kind.startsWith('warehouse');
      key = `c:${item.prodcell_id ?? ''}`;
      title = `${warehouse ? '仓库' : '装卸区'} ${item.prodcell_id ?? ''}`;
    }
    let g = groups.get(key);
    if (!g) {
      g = { key, title, items: [], gaps: 0 };
      groups.set(key, g);
    }
    g.items.push(item);
    if (item.status !== 'connected') g.gaps += 1;
  }
  return [...groups.values()];
}
