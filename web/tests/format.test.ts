import { describe, expect, it } from 'vitest';
import {
  STATUS_OPTIONS,
  formatDuration,
  formatTime,
  fromBeijingInput,
  levelColor,
  parseTime,
  worstLevel,
  LEVEL_COLORS,
  OFFLINE_COLOR,
  NORMAL_COLOR,
  toBeijingInput,
} from '../src/format';
import { warningStatusValues } from '../src/api/schema';

describe('formatTime', () => {
  it('shows RFC 3339 UTC times in Beijing time without an offset', () => {
    expect(formatTime('2026-12-06T16:30:05Z')).toBe('2026-12-07 00:30:05');
  });
  it('reads PostgreSQL timestamps with a +00 offset and fractions (the live stream)', () => {
    expect(formatTime('2026-12-06 19:00:00.123+00')).toBe('2026-12-07 03:00:00');
  });
  it('honours other offsets', () => {
    expect(formatTime('2026-12-07T03:00:00+08:00')).toBe('2026-12-07 03:00:00');
    expect(formatTime('2026-12-06T14:00:00-05:00')).toBe('2026-12-07 03:00:00');
  });
  it('keeps empty values empty and unreadable ones as they are', () => {
    expect(formatTime(null)).toBe('');
    expect(formatTime('')).toBe('');
    expect(formatTime('soon')).toBe('soon');
  });
  it('never prints an offset', () => {
    expect(formatTime('2026-01-01T00:00:00Z')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
  it('round-trips the datetime-local input in Beijing wall time', () => {
    expect(fromBeijingInput('2026-12-07T08:00')).toBe('2026-12-07T00:00:00Z');
    expect(toBeijingInput('2026-12-07T00:00:00Z')).toBe('2026-12-07T08:00');
    expect(fromBeijingInput('nonsense')).toBeNull();
  });
  it('treats a bare date as Beijing midnight', () => {
    expect(parseTime('2026-12-07')).toBe(Date.parse('2026-12-06T16:00:00Z'));
  });
});

describe('formatDuration', () => {
  it('uses Chinese units', () => {
    expect(formatDuration(65)).toBe('1 分 5 秒');
    expect(formatDuration(3 * 3600 + 120)).toBe('3 小时 2 分');
    expect(formatDuration(null)).toBe('');
  });
});

describe('levels', () => {
  it('takes the worst level', () => {
    expect(worstLevel(['blue', 'orange', 'yellow'])).toBe('orange');
    expect(worstLevel(['yellow', null, 'red', 'blue'])).toBe('red');
    expect(worstLevel([])).toBeNull();
  });
  it('colours by level, grey offline, green otherwise', () => {
    expect(levelColor('red', false)).toBe(LEVEL_COLORS.red);
    expect(levelColor(null, false)).toBe(OFFLINE_COLOR);
    expect(levelColor(undefined, true)).toBe(NORMAL_COLOR);
  });
});

describe('status filter (issue 10, bug 3)', () => {
  it('offers exactly the statuses of the OpenAPI enum, pending_review and pending included, no dismissed', () => {
    expect(STATUS_OPTIONS.map((o) => o.value)).toEqual([...warningStatusValues]);
    expect(STATUS_OPTIONS.map((o) => o.value)).toContain('pending_review');
    expect(STATUS_OPTIONS.map((o) => o.value)).toContain('pending');
    expect(STATUS_OPTIONS.map((o) => o.value)).not.toContain('dismissed');
    for (const o of STATUS_OPTIONS) expect(o.label).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('disposal timeline actors (issue 10, bug 2)', () => {
  it('names the actor from actor_name and actor_role, as the API returns them', async () => {
    const { actorText } = await import('../src/format');
    expect(actorText({ actor_name: 'dash_officer', actor_role: 'province' })).toBe('dash_officer（省级）');
    expect(actorText({ actor_name: 'ent_user', actor_role: 'enterprise' })).toBe('ent_user（企业）');
    expect(actorText({ actor_name: 'system', actor_role: 'system' })).toBe('系统（系统）');
    // The old page read r.actor / r.role, which the API does not send: nothing to show.
    const wire = JSON.parse('{"actor_name":"city_duty","actor_role":"city"}');
    expect(wire.actor).toBeUndefined();
    expect(actorText(wire)).toBe('city_duty（市级）');
  });
});
