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
  equip_code: string;
  status: UnitStatusKind;
  begin: string; // datetime-local, Beijing wall time; empty: now
  planned_end: string;
  reason: string;
}

export function emptyUnitStatusForm(): UnitStatusForm {
  return { equip_code: '', status: 'running', begin: '', planned_end: '', reason: '' };
}

/** The same checks as the server's, in Chinese; empty when the form may be sent. */
export function unitStatusProblems(f: UnitStatusForm, now: number): string[] {
  const out: string[] = [];
  if (!f.equip_code.trim()) out.push('请选择生产装置');
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
  return out;
}

/** The body to POST: empty optional fields left out (the server takes now for the begin). */
export function unitStatusBody(f: UnitStatusForm): S['UnitStatusInput'] {
  const body: S['UnitStatusInput'] = { equip_code: f.equip_code.trim(), status: f.status };
  const b = f.begin ? fromBeijingInput(f.begin) : null;
  if (b) body.begin_at = b;
  const e = f.planned_end ? fromBeijingInput(f.planned_end) : null;
  if (e) body.planned_end = e;
  if (f.reason.trim()) body.reason = f.reason.trim();
  return body;
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
