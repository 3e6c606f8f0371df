// 仓库与装卸台 on the enterprise page (issue 12, migration 0021, ADR 0020): labels of the fields
// and which points watch each warehouse and loading platform (the point names it, or its equipment
// stands in it), counted as 附件5 §2–§3 asks (temperature, humidity, gas; leak, grounding, overflow).

export interface WarehouseRow {
  warehouse_id: string;
  name: string;
  hazard_code?: string | null;
  fire_class?: string | null;
  fire_class_item?: number | null;
  area_m2?: number | null;
  volume_m3?: number | null;
  structure?: string | null;
  use?: string | null;
  keeper?: string | null;
  keeper_phone?: string | null;
}
export interface WarehouseChemicalRow {
  id: number;
  warehouse_id: string;
  cas: string;
  max_quantity_t?: number | null;
}
export interface LoadingPlatformRow {
  platform_id: string;
  name: string;
  hazard_code?: string | null;
  positions?: number | null;
  media?: string[] | null;
  mode?: string | null;
  filling?: string | null;
  has_grounding_detection?: boolean | null;
  has_overflow_detection?: boolean | null;
}
export interface PlacedPoint {
  quota_code: string;
  indicator_type: string;
  equip_code?: string | null;
  warehouse_id?: string | null;
  loading_platform_id?: string | null;
  in_use?: boolean | null;
}
export interface PlacedEquipment {
  equip_code: string;
  warehouse_id?: string | null;
  loading_platform_id?: string | null;
}

export const USE_LABELS: Readonly<Record<string, string>> = {
  H4601: '原料',
  H4602: '辅料',
  H4603: '中间产品',
  H4604: '产品',
};
export const MODE_LABELS: Readonly<Record<string, string>> = { road: '汽车', rail: '铁路', ship: '船舶' };
export const FILLING_LABELS: Readonly<Record<string, string>> = { top: '上装', bottom: '下装' };

const ITEM_NUMERALS = ['', '1', '2', '3', '4', '5', '6'];

// 火灾危险性 as written in GB 50016: 甲类, 丙类2项; '—' when not set.
export function fireClassLabel(cls: string | null | undefined, item: number | null | undefined): string {
  if (!cls) return '—';
  return item ? `${cls}类${ITEM_NUMERALS[item] ?? item}项` : `${cls}类`;
}

export function yesNo(v: boolean | null | undefined): string {
  return v === true ? '有' : v === false ? '无' : '—';
}

export interface PlaceCounts {
  temperature: number;
  humidity: number;
  gas: number;
  grounding: number;
  overflow: number;
  total: number;
}

function empty(): PlaceCounts {
  return { temperature: 0, humidity: 0, gas: 0, grounding: 0, overflow: 0, total: 0 };
}

// In-use points per warehouse ('W:' + id) and per loading platform ('L:' + id). A point is where
// it says, else where its equipment stands; points elsewhere are not counted.
export function countByPlace(points: PlacedPoint[], equipment: PlacedEquipment[]): Map<string, PlaceCounts> {
  const equipPlace = new Map<string, string>();
  for (const e of equipment) {
    if (e.warehouse_id) equipPlace.set(e.equip_code, 'W:' + e.warehouse_id);
    else if (e.loading_platform_id) equipPlace.set(e.equip_code, 'L:' + e.loading_platform_id);
  }
  const out = new Map<string, PlaceCounts>();
  for (const p of points) {
    if (p.in_use === false) continue;
    const place = p.warehouse_id
      ? 'W:' + p.warehouse_id
      : p.loading_platform_id
        ? 'L:' + p.loading_platform_id
        : p.equip_code
          ? equipPlace.get(p.equip_code)
          : undefined;
    if (!place) continue;
    const c = out.get(place) ?? empty();
    c.total++;
    if (p.indicator_type === 'temperature') c.temperature++;
    else if (p.indicator_type === 'humidity') c.humidity++;
    else if (p.indicator_type === 'combustible' || p.indicator_type === 'toxic') c.gas++;
    else if (p.indicator_type === 'grounding') c.grounding++;
    else if (p.indicator_type === 'overflow') c.overflow++;
    out.set(place, c);
  }
  return out;
}

// What a place still lacks of 附件5 (§2 warehouses: 温度, 湿度, 可燃/有毒气体; §3 loading areas:
// 泄漏, 静电接地, 溢油), in Chinese; empty when nothing is missing.
export function missingAt(kind: 'warehouse' | 'loading', c: PlaceCounts | undefined): string[] {
  const n = c ?? empty();
  if (kind === 'warehouse')
    return [n.temperature ? '' : '温度', n.humidity ? '' : '湿度', n.gas ? '' : '可燃/有毒气体'].filter(Boolean);
  return [n.gas ? '' : '可燃/有毒气体泄漏', n.grounding ? '' : '静电接地', n.overflow ? '' : '溢油'].filter(Boolean);
}
