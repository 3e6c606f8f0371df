// 接入与部署 (issue 12; 晋应急发〔2021〕247号 一(一), 一(二), 二(一), 二(四)): labels and the pure
// helpers of the connection page: connection states of the expected enterprises
// (GET /api/v1/deployment/connection), the cities' own duties (…/city-duties) and the resolution
// of unmatched roster rows (…/roster-rows/{attachment}/{seq}/resolve).
import type { components, paths } from '../api/schema';

type S = components['schemas'];
export type ConnectionStatus =
  paths['/api/v1/deployment/connection']['get']['responses']['200']['content']['application/json'];
export type ConnectionItem = ConnectionStatus['items'][number];
export type ConnectionState = ConnectionItem['state'];
export type CityDuty = S['CityDuty'];
export type RosterRow = S['RosterRow'];
export type ResolveAction = 'confirm' | 'pick' | 'create';

export const CONNECTION_STATE_LABELS: Readonly<Record<ConnectionState, string>> = {
  not_connected: '未接入',
  silent: '已接入但无数据',
  connected: '已接入',
};

export const CITY_DUTY_LABELS: Readonly<Record<CityDuty['duty'], string>> = {
  unconnected_list: '上报未接入企业名单',
  supervise_deployment: '督促企业完成五项部署',
  city_system: '市级预警系统部署',
  city_forwarding: '市级平台数据推送省级',
};

export const MATCH_KIND_LABELS: Readonly<Record<RosterRow['match_kind'], string>> = {
  exact: '完全匹配',
  normalised: '规范化匹配',
  unmatched: '未匹配',
  resolved: '已处理',
};

export const RESOLUTION_LABELS: Readonly<Record<NonNullable<RosterRow['resolution']>, string>> = {
  confirmed: '确认建议企业',
  picked: '选择其他企业',
  created: '新建企业',
};

/** "3 / 5（60.0%）" style share of connected enterprises; a dash when none is expected. */
export function connectedShare(connected: number, expected: number): string {
  if (!expected) return '—';
  return `${connected} / ${expected}（${((connected / expected) * 100).toFixed(1)}%）`;
}

/** Points reporting vs registered: "8 / 10"; a dash when the enterprise has no points. */
export function pointsText(reporting: number, registered: number): string {
  return registered ? `${reporting} / ${registered}` : '—';
}

/** Who may change a city's duty: the province's administrator, or that city's own officer. */
export function mayEditDuty(role: string | undefined, scopeCode: string | undefined, cityCode: string): boolean {
  if (role === 'province_admin') return true;
  return role === 'city_officer' && scopeCode === cityCode;
}

/** The body of a duty update, or the reason it cannot be sent (done needs its evidence). */
export function dutyBody(status: CityDuty['status'], evidence: string): { body?: { status: string; evidence_note: string }; error?: string } {
  const note = evidence.trim();
  if (status === 'done' && !note) return { error: '标记完成时请填写佐证说明' };
  if (new TextEncoder().encode(note).length > 2000) return { error: '佐证说明不超过 2000 字节' };
  return { body: { status, evidence_note: note } };
}

export interface ResolveForm {
  companyCode: string;
  name: string;
  regionCode: string;
}

/** The body of a roster-row resolution, or why it cannot be sent, checked as the server does. */
export function resolveBody(action: ResolveAction, row: Pick<RosterRow, 'suggestion' | 'city_code'>, f: ResolveForm): { body?: Record<string, string>; error?: string } {
  if (action === 'confirm') {
    if (!row.suggestion) return { error: '该行没有建议企业，请选择或新建企业' };
    return { body: { action } };
  }
  if (action === 'pick') {
    const code = f.companyCode.trim();
    if (!/^[0-9]{11}$/.test(code)) return { error: '企业编码为 11 位数字' };
    return { body: { action, company_code: code } };
  }
  const name = f.name.trim();
  const region = f.regionCode.trim();
  const bytes = new TextEncoder().encode(name).length;
  if (bytes < 6 || bytes > 200) return { error: '企业名称长度不符合要求' };
  if (!/^[0-9]{6}$/.test(region) || region.endsWith('0000')) return { error: '请填写市或县（区）的 6 位区划代码' };
  if (row.city_code && region.slice(0, 4) !== row.city_code.slice(0, 4)) return { error: `区划须在该行所属城市（${row.city_code}）内` };
  return { body: { action, name, region_code: region } };
}
