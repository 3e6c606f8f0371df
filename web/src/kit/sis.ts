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
