// Unit run status (装置运行状态; docs/duties.md) on the dashboard: the five statuses, the form's
// checks the server also makes, the request body, what a status's filing (报备) means for its
// alarms, and the comparison with the day's safety commitment.
import type { components } from '../api/schema';
import { fromBeijingInput } from '../format';

type S = components['schemas'];
export type UnitStatus = S['UnitStatus'];
export type UnitStatusKind = S['UnitStatusInput']['status'];

export const STATUS_LABELS: Readonly<Record<UnitStatusKind, string>> = {
  running: '运行',
  stopped: '停车',
  startup: '开车',
  trial: '试生产',
  overhaul: '检修',
};

/** Stops and overhauls suppress the unit's process alarms (through a filing) and need a reason. */
export function suppresses(status: string): boolean {
  return status === 'stopped' || status === 'overhaul';
}

export interface UnitStatusForm {
  equip_code: string; // a unit inside a major hazard source (equipment S0) …
  prodcell_id: string; // … or a non-major unit (production cell without a hazard source): one of them
  status: UnitStatusKind;
  begin: string; // datetime-local, Beijing wall time; empty: now
  planned_end: string;
  reason: string;
  // The overhaul filing (大检修备案): sent for an overhaul only.
  content: string;
  unit_head: string;
  responsible_person: string;
  responsible_phone: string;
}

export function emptyUnitStatusForm(): UnitStatusForm {
  return {
    equip_code: '',
    prodcell_id: '',
    status: 'running',
    begin: '',
    planned_end: '',
    reason: '',
    content: '',
    unit_head: '',
    responsible_person: '',
    responsible_phone: '',
  };
}

/** The unit picker's value: `e:<equip_code>` for an S0 unit, `c:<prodcell_id>` for a non-major one. */
export function unitChoice(f: Pick<UnitStatusForm, 'equip_code' | 'prodcell_id'>): string {
  if (f.prodcell_id) return 'c:' + f.prodcell_id;
  return f.equip_code ? 'e:' + f.equip_code : '';
}
export function chooseUnit(f: UnitStatusForm, value: string): void {
  f.equip_code = value.startsWith('e:') ? value.slice(2) : '';
  f.prodcell_id = value.startsWith('c:') ? value.slice(2) : '';
}

const PHONE = /^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$/;

/** The same checks as the server's, in Chinese; empty when the form may be sent. */
export function unitStatusProblems(f: UnitStatusForm, now: number): string[] {
  const out: string[] = [];
  if (!f.equip_code.trim() && !f.prodcell_id.trim()) out.push('请选择生产装置');
  const b = f.begin ? fromBeijingInput(f.begin) : null;
  if (f.begin && !b) out.push('开始时间格式不正确');
  const begin = b ? Date.parse(b) : now;
  if (begin > now + 5 * 60_000) out.push('开始时间不能晚于当前时间');
  else if (begin < now - 30 * 86400_000) out.push('开始时间不能早于30天前');
  if (f.planned_end) {
    const e = fromBeijingInput(f.planned_end);
    if (!e) out.push('计划结束时间格式不正确');
    else if (Date.parse(e) <= begin) out.push('计划结束时间须晚于开始时间');
  }
  if (suppresses(f.status) && !f.reason.trim()) out.push(`${STATUS_LABELS[f.status]}须填写原因`);
  if (f.status === 'overhaul') {
    if (!f.content.trim()) out.push('检修须填写检修内容');
    if (!f.responsible_person.trim()) out.push('检修须填写检修负责人');
    if (!PHONE.test(f.responsible_phone.trim())) out.push('检修负责人电话须为11位手机号或固定电话（如0351-1234567）');
  }
  return out;
}

/** The body to POST: empty optional fields left out (the server takes now for the begin). */
export function unitStatusBody(f: UnitStatusForm): S['UnitStatusInput'] {
  const body: S['UnitStatusInput'] = { status: f.status };
  if (f.prodcell_id.trim()) body.prodcell_id = f.prodcell_id.trim();
  else body.equip_code = f.equip_code.trim();
  const b = f.begin ? fromBeijingInput(f.begin) : null;
  if (b) body.begin_at = b;
  const e = f.planned_end ? fromBeijingInput(f.planned_end) : null;
  if (e) body.planned_end = e;
  if (f.reason.trim()) body.reason = f.reason.trim();
  if (f.status === 'overhaul') {
    body.content = f.content.trim();
    body.responsible_person = f.responsible_person.trim();
    body.responsible_phone = f.responsible_phone.trim();
    if (f.unit_head.trim()) body.unit_head = f.unit_head.trim();
  }
  return body;
}

/** An overhaul's filing fields in one line, in Chinese ('' for other statuses). */
export function overhaulText(
  s: Pick<UnitStatus, 'content' | 'unit_head' | 'responsible_person' | 'responsible_phone'>,
): string {
  const parts: string[] = [];
  if (s.content) parts.push('检修内容：' + s.content);
  if (s.unit_head) parts.push('装置负责人：' + s.unit_head);
  if (s.responsible_person)
    parts.push('检修负责人：' + s.responsible_person + (s.responsible_phone ? `（${s.responsible_phone}）` : ''));
  return parts.join('；');
}

/** What the status does to the unit's process alarms, in Chinese ('' when it suppresses nothing). */
export function filingText(s: Pick<UnitStatus, 'filing'>, now: number): string {
  const f = s.filing;
  if (!f) return '';
  if (f.status === 'pending') return '报备待审批，暂不屏蔽报警';
  if (f.status === 'rejected') return '报备未获批准，不屏蔽报警';
  if (f.status === 'cancelled') return '报备已撤销';
  if (f.ends_at && Date.parse(f.ends_at) <= now) return '报备已结束';
  return '工艺报警已屏蔽（气体检测报警不屏蔽）';
}

export interface UnitCommitmentCheck {
  committed: boolean;
  units: number;
  lines: { key: string; name: string; committed: number; statuses: number; difference: number }[];
}

/** The lines where the day's commitment and the statuses in force differ (shown, never blocking). */
export function statusDifferences(c: UnitCommitmentCheck): { name: string; text: string }[] {
  return c.lines
    .filter((l) => l.difference !== 0)
    .map((l) => ({
      name: l.name,
      text: `承诺 ${l.committed}，实际 ${l.statuses}（${l.difference > 0 ? '多' : '少'} ${Math.abs(l.difference)}）`,
    }));
}
