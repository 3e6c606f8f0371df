// The alarm list's logic: open alarms stay listed whatever the time window (they are merged in
// ahead of the window's rows), and live alarm changes update the list at once.
import type { AlarmRow, LiveAlarm } from './api/types';
import { parseTime } from './format';

/** Open alarms first (newest first), then the window's rows, each alarm once. */
export function mergeOpenAlarms(open: AlarmRow[], windowRows: AlarmRow[]): AlarmRow[] {
  const seen = new Set<number>();
  const out: AlarmRow[] = [];
  for (const r of [...open, ...windowRows]) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  const isOpen = (r: AlarmRow) => !r.end_ts;
  return out.sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || (parseTime(b.start_ts) ?? 0) - (parseTime(a.start_ts) ?? 0));
}

export interface AlarmFilter {
  company_code?: string;
  alarm_type?: string;
  quota_code?: string;
  active?: string;
}

/** Whether a live alarm belongs in a list with these filters. */
export function liveMatches(a: LiveAlarm, f: AlarmFilter): boolean {
  if (f.company_code && a.company_code !== f.company_code) return false;
  if (f.alarm_type && a.alarm_type !== f.alarm_type) return false;
  if (f.quota_code && a.quota_code !== f.quota_code) return false;
  if (f.active === 'false' && a.transition !== 'cleared') return false;
  return true;
}

/** Applies a live change to the rows shown: a raised alarm is added on top (a provisional row
 * until the next reload gives its id), an escalation or clearing updates the open row of its
 * point. Returns the new rows; at most `max` are kept. */
export function applyLiveAlarm(rows: AlarmRow[], a: LiveAlarm, names: { company?: string } = {}, max = 500): AlarmRow[] {
  const i = rows.findIndex((r) => r.quota_code === a.quota_code && !r.end_ts && (r.alarm_type === a.alarm_type || a.transition === 'escalated'));
  if (a.transition === 'cleared') {
    if (i < 0) return rows;
    const next = rows.slice();
    next[i] = { ...rows[i], end_ts: a.at, value: a.value ?? rows[i].value, peak_value: a.peak_value ?? rows[i].peak_value };
    return next;
  }
  if (i >= 0) {
    const next = rows.slice();
    next[i] = { ...rows[i], alarm_type: a.alarm_type, peak_value: a.peak_value ?? rows[i].peak_value, value: a.value, threshold: a.threshold ?? rows[i].threshold };
    return next;
  }
  const row: AlarmRow = {
    id: -Date.now() - Math.floor(Math.random() * 1000),
    company_code: a.company_code,
    company_name: names.company ?? null,
    hazard_code: a.hazard_code ?? null,
    quota_code: a.quota_code,
    alarm_type: a.alarm_type,
    start_ts: a.start_ts,
    end_ts: null,
    threshold: a.threshold ?? null,
    peak_value: a.peak_value ?? a.value ?? null,
    value: a.value ?? null,
    suppressed: a.suppressed ?? false,
    late: a.late ?? false,
    is_data_fault: a.is_data_fault ?? false,
  };
  const next = [row, ...rows];
  if (next.length > max) next.length = max;
  return next;
}
