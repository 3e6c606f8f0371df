// SIS loops (安全仪表系统 联锁回路, docs/sis.md) on the enterprise page: each loop's state in
// Chinese, what its active bypass or open trip means, and the counts the panel's title shows.
import type { components } from '../api/schema';
import { formatTime } from '../format';

export type SisLoop = components['schemas']['SisLoop'];
export type SisState = SisLoop['state'];

export const SIS_STATE_LABELS: Record<SisState, string> = {
  in_service: '投用',
  bypassed: '旁路',
  tripped: '联锁动作',
};

/** The state as the table shows it: 旁路 with its expiry (or 已过期 once past it). */
export function sisStateText(l: SisLoop): string {
  const base = SIS_STATE_LABELS[l.state] ?? l.state;
  if (l.state === 'bypassed' && l.bypass_expiry_at) {
    return l.bypass_expired ? `${base}（已于 ${formatTime(l.bypass_expiry_at)} 到期，未恢复）` : `${base}（至 ${formatTime(l.bypass_expiry_at)}）`;
  }
  if (l.state === 'tripped') return `${base}（待复位）`;
  return base;
}

/** Whether a loop needs attention: tripped, or bypassed past its expiry. */
export function sisAlert(l: SisLoop): boolean {
  return l.state === 'tripped' || (l.state === 'bypassed' && l.bypass_expired === true);
}

export interface SisCounts {
  total: number;
  in_service: number;
  bypassed: number;
  tripped: number;
  expired: number;
}

export function sisCounts(loops: readonly SisLoop[]): SisCounts {
  const c: SisCounts = { total: loops.length, in_service: 0, bypassed: 0, tripped: 0, expired: 0 };
  for (const l of loops) {
    if (l.state === 'in_service' || l.state === 'bypassed' || l.state === 'tripped') c[l.state] += 1;
    if (l.state === 'bypassed' && l.bypass_expired) c.expired += 1;
  }
  return c;
}

export type SisAction = 'bypass' | 'approve' | 'end' | 'trip' | 'reset';

export const SIS_ACTION_LABELS: Record<SisAction, string> = {
  bypass: '申请旁路',
  approve: '审批生效',
  end: '解除旁路',
  trip: '报联锁动作',
  reset: '复位',
};

/**
 * What the enterprise's user may do with a loop: a bypass is requested (then approved) only when
 * none is open; an open bypass that is not in effect yet (state in service) is approved or
 * withdrawn, one in effect ended; a trip is reported when none waits for its reset, else reset.
 */
export function sisActions(l: SisLoop): SisAction[] {
  const out: SisAction[] = [];
  const open = l.open_bypass_id != null;
  if (!open) out.push('bypass');
  else if (l.state === 'in_service') out.push('approve', 'end');
  else out.push('end');
  if (l.open_trip_id == null) out.push('trip');
  else out.push('reset');
  return out;
}

/**
 * What a county, city or province officer may do with a loop: approve a requested bypass (four
 * eyes: the enterprise's filing account may not, and one longer than a day only an officer may;
 * docs/sis.md, attack 13.24).
 */
export function officerSisActions(l: SisLoop): SisAction[] {
  return l.open_bypass_id != null && l.state === 'in_service' ? ['approve'] : [];
}

export interface BypassForm {
  applicant: string;
  approver: string;
  reason: string;
  hours: number;
}

export function emptyBypassForm(): BypassForm {
  return { applicant: '', approver: '', reason: '', hours: 8 };
}

/** The form's problems in Chinese (the server checks the same: docs/sis.md); empty when it may be sent. */
export function bypassProblems(f: BypassForm, maxHours = 72): string[] {
  const out: string[] = [];
  if (!f.applicant.trim()) out.push('请填写申请人');
  if (!f.approver.trim()) out.push('请填写审批人');
  else if (f.applicant.trim() && f.approver.trim() === f.applicant.trim()) out.push('审批人不得为申请人本人');
  if (!f.reason.trim()) out.push('请填写旁路原因');
  if (!Number.isFinite(f.hours) || f.hours <= 0 || f.hours > maxHours) out.push(`旁路时长须在 0–${maxHours} 小时之间`);
  return out;
}

/** POST /api/v1/sis-loops/{id}/bypasses: begins now, expires `hours` later. */
export function bypassBody(f: BypassForm, now: number): { applicant: string; approver: string; reason: string; expiry_at: string } {
  return {
    applicant: f.applicant.trim(),
    approver: f.approver.trim(),
    reason: f.reason.trim(),
    expiry_at: new Date(now + f.hours * 3600_000).toISOString(),
  };
}
