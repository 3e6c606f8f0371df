import { describe, expect, it } from 'vitest';
import { applyLiveAlarm, liveMatches, mergeOpenAlarms } from '../src/alarms';
import type { AlarmRow, LiveAlarm } from '../src/api/types';

const row = (id: number, start: string, end: string | null = null, over: Partial<AlarmRow> = {}): AlarmRow => ({
  id, company_code: 'C1', quota_code: 'Q' + id, alarm_type: 'H', start_ts: start, end_ts: end, ...over,
});
const live = (over: Partial<LiveAlarm>): LiveAlarm => ({
  transition: 'raised', alarm_type: 'HH', quota_code: 'Q9', company_code: 'C1', start_ts: '2026-12-06 10:00:00.000+00', at: '2026-12-06 10:00:00.000+00', ...over,
});

describe('open alarms stay listed whatever the time window', () => {
  it('merges the open ones ahead of the window rows, without duplicates', () => {
    const open = [row(1, '2026-11-01T00:00:00Z')]; // far outside the window
    const win = [row(2, '2026-12-06T01:00:00Z', '2026-12-06T02:00:00Z'), row(1, '2026-11-01T00:00:00Z'), row(3, '2026-12-06T03:00:00Z', '2026-12-06T04:00:00Z')];
    const m = mergeOpenAlarms(open, win);
    expect(m.map((r) => r.id)).toEqual([1, 3, 2]);
  });
});

describe('live alarms in the list', () => {
  it('adds a raised alarm on top', () => {
    const rows = applyLiveAlarm([row(1, '2026-12-06T00:00:00Z', '2026-12-06T01:00:00Z')], live({}), { company: '示例化工' });
    expect(rows[0]).toMatchObject({ quota_code: 'Q9', alarm_type: 'HH', end_ts: null, company_name: '示例化工' });
    expect(rows).toHaveLength(2);
  });
  it('closes the open row of the point on `cleared` (消警), rather than adding a new alarm', () => {
    const open = applyLiveAlarm([], live({}));
    const after = applyLiveAlarm(open, live({ transition: 'cleared', at: '2026-12-06 10:05:00.000+00' }));
    expect(after).toHaveLength(1);
    expect(after[0].end_ts).toBe('2026-12-06 10:05:00.000+00');
  });
  it('updates the type on escalation', () => {
    const open = applyLiveAlarm([], live({ alarm_type: 'H' }));
    const after = applyLiveAlarm(open, live({ transition: 'escalated', alarm_type: 'HH', peak_value: 19.5 }));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ alarm_type: 'HH', peak_value: 19.5 });
  });
  it('keeps the list bounded', () => {
    let rows: AlarmRow[] = [];
    for (let i = 0; i < 20; i++) rows = applyLiveAlarm(rows, live({ quota_code: 'P' + i }), {}, 10);
    expect(rows).toHaveLength(10);
    expect(rows[0].quota_code).toBe('P19');
  });
  it('filters live alarms like the list', () => {
    expect(liveMatches(live({}), { company_code: 'C2' })).toBe(false);
    expect(liveMatches(live({}), { alarm_type: 'HH' })).toBe(true);
    expect(liveMatches(live({}), { active: 'false' })).toBe(false);
  });
});
