// Non-major hazard units (非重大危险源, ADR 0019; docs/processes.md) on the dashboard: which
// production units are not part of a major hazard source, which points hang on them and which
// on the enterprise itself (企业级监测点), and the names of the statistics' rank buckets.
import type { components } from '../api/schema';

type S = components['schemas'];
export type UnitRow = Pick<S['ProductionCellsRow'], 'prodcell_id' | 'name' | 'cell_type'> & {
  hazard_code?: string | null;
  responsible_person?: string | null;
};
export type PointRow = Pick<S['MonitoringPointsRow'], 'quota_code' | 'name'> & {
  hazard_code?: string | null;
  prodcell_id?: string | null;
  indicator_type?: string | null;
  unit?: string | null;
};

export const CELL_TYPE_LABELS: Readonly<Record<string, string>> = {
  tank_farm: '罐区',
  unit: '生产装置',
};

export const INDICATOR_LABELS: Readonly<Record<string, string>> = {
  level: '液位',
  temperature: '温度',
  pressure: '压力',
  flow: '流量',
  combustible: '可燃气体',
  toxic: '有毒气体',
  oxygen: '氧含量',
  humidity: '湿度',
  agitator: '搅拌',
  current: '电流',
  voltage: '电压',
  ph: 'pH',
  sis: '安全仪表',
  valve: '阀门',
  grounding: '静电接地',
  overflow: '防溢流',
  other: '其他',
};

/** A unit without a hazard source is a non-major unit (非重大危险源单元). */
export function isNonMajor(u: { hazard_code?: string | null }): boolean {
  return !u.hazard_code;
}

export interface NonMajorView {
  units: Array<{ unit: UnitRow; points: PointRow[] }>;
  /** Points with neither a hazard source nor a unit: the enterprise's own (企业级监测点). */
  enterprisePoints: PointRow[];
}

/** The enterprise's non-major units with their points, and its enterprise-level points. */
export function nonMajorView(units: readonly UnitRow[], points: readonly PointRow[]): NonMajorView {
  const nonMajor = units.filter(isNonMajor);
  const byUnit = new Map<string, PointRow[]>(nonMajor.map((u) => [u.prodcell_id, []]));
  const enterprisePoints: PointRow[] = [];
  for (const p of points) {
    if (p.hazard_code) continue;
    const list = p.prodcell_id ? byUnit.get(p.prodcell_id) : undefined;
    if (list) list.push(p);
    else if (!p.prodcell_id) enterprisePoints.push(p);
  }
  const byCode = (a: PointRow, b: PointRow) => a.quota_code.localeCompare(b.quota_code);
  return {
    units: nonMajor.map((u) => ({ unit: u, points: (byUnit.get(u.prodcell_id) ?? []).sort(byCode) })),
    enterprisePoints: enterprisePoints.sort(byCode),
  };
}

const RANK_NAMES = ['一', '二', '三', '四'];

/** The name of a `group_by=rank` key: "1"–"4", "unranked" (非重大危险源) or null (其他). */
export function rankBucketName(key: string | null | undefined): string {
  if (key == null) return '其他';
  if (key === 'unranked') return '非重大危险源';
  const n = Number(key);
  return Number.isInteger(n) && n >= 1 && n <= 4 ? `${RANK_NAMES[n - 1]}级重大危险源` : key;
}

/** Where a point or event sits, in Chinese: its hazard source, its non-major unit or the enterprise. */
export function targetText(t: { hazard_code?: string | null; hazard_name?: string | null; prodcell_id?: string | null; prodcell_name?: string | null }): string {
  if (t.hazard_code) return t.hazard_name ? `${t.hazard_name}（${t.hazard_code}）` : t.hazard_code;
  if (t.prodcell_id) return `非重大危险源单元：${t.prodcell_name || t.prodcell_id}`;
  return '企业级监测点（非重大危险源）';
}

/** A warning rule's rank selector in Chinese: "unranked" is 非重大危险源; empty is ranks 1–4 only. */
export function rankSelectorText(ranks: ReadonlyArray<number | string>): string {
  if (!ranks.length) return '一至四级（不含非重大危险源）';
  const named = ranks.filter((r) => r !== 'unranked').map(String);
  const parts = named.length ? [named.join('、') + ' 级'] : [];
  if (ranks.includes('unranked')) parts.push('非重大危险源');
  return parts.join('、');
}

/** A warning rule's level_by_rank key in Chinese ("1" → 1级, "unranked" → 非重大危险源). */
export function levelKeyText(key: string): string {
  return key === 'unranked' ? '非重大危险源' : `${key}级`;
}
