import { describe, expect, it } from 'vitest';
import { LiveStream, SseParser, alarmTransitionText, isAlarmOpen, toLiveEvent, type LiveEvent } from '../src/api/stream';

describe('SseParser', () => {
  it('splits events across chunks and skips comments', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\n\nevent: alarm\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\nevent: warning\r\ndata: {"b":2}\r\n\r\n')).toEqual([
      { event: 'alarm', data: '{"a":1}' },
      { event: 'warning', data: '{"b":2}' },
    ]);
  });
  it('joins multi-line data and defaults the event name', () => {
    const p = new SseParser();
    expect(p.push('data: x\ndata: y\n\n')).toEqual([{ event: 'message', data: 'x\ny' }]);
  });
});

describe('live alarms (issue 10, bug 1)', () => {
  it("treats the server's `cleared` transition as 消警", () => {
    expect(alarmTransitionText({ transition: 'cleared' })).toBe('消警');
    expect(isAlarmOpen({ transition: 'cleared' })).toBe(false);
  });
  it('raised is 报警, escalated 报警升级, suppressed and late said so', () => {
    expect(alarmTransitionText({ transition: 'raised' })).toBe('报警');
    expect(alarmTransitionText({ transition: 'escalated' })).toBe('报警升级');
    expect(alarmTransitionText({ transition: 'raised', suppressed: true })).toBe('报备期内（已抑制）');
    expect(alarmTransitionText({ transition: 'raised', late: true })).toBe('补传报警');
    expect(isAlarmOpen({ transition: 'raised' })).toBe(true);
  });
  it('a cleared alarm from the wire reads 消警', () => {
    const e = toLiveEvent({
      event: 'alarm',
      data: JSON.stringify({ transition: 'cleared', alarm_type: 'HH', quota_code: 'Q1', company_code: 'C1', start_ts: 'x', at: 'y' }),
    });
    expect(e?.kind).toBe('alarm');
    expect(e && e.kind === 'alarm' && alarmTransitionText(e.data)).toBe('消警');
  });
});

describe('toLiveEvent', () => {
  it('ignores unknown kinds and broken payloads', () => {
    expect(toLiveEvent({ event: 'video', data: '{}' })).toBeNull();
    expect(toLiveEvent({ event: 'alarm', data: 'not json' })).toBeNull();
    expect(toLiveEvent({ event: 'warning', data: '{"id":"x"}' })).toBeNull();
    expect(toLiveEvent({ event: 'warning', data: '{"id":3,"level":"red","company_code":"C"}' })?.kind).toBe('warning');
  });
});

describe('LiveStream subscribers', () => {
  it('delivers to subscribers until they unsubscribe, and one failing handler does not stop the others', () => {
    const s = new LiveStream();
    const got: LiveEvent[] = [];
    const off = s.subscribe((e) => got.push(e));
    s.subscribe(() => {
      throw new Error('boom');
    });
    const e: LiveEvent = { kind: 'warning', data: { id: 1, level: 'red', company_code: 'C' } };
    s.dispatch(e);
    off();
    s.dispatch(e);
    expect(got).toHaveLength(1);
    expect(s.subscriberCount).toBe(1);
  });
});

describe('alerts', async () => {
  const { alerts, raiseAlert, acknowledge, needsAlert, setMuted, suspendTone, MAX_ALERTS } = await import('../src/alerts');
  it('only red and orange warnings raise the banner, once per event', () => {
    expect(needsAlert({ level: 'yellow' })).toBe(false);
    expect(needsAlert({ level: 'orange' })).toBe(true);
    const list: import('../src/alerts').Alert[] = [];
    expect(raiseAlert({ id: 1, level: 'red', company_code: 'C' }, list)).toBe(true);
    expect(raiseAlert({ id: 1, level: 'red', company_code: 'C' }, list)).toBe(false);
    expect(raiseAlert({ id: 2, level: 'blue', company_code: 'C' }, list)).toBe(false);
    expect(list).toHaveLength(1);
  });
  it('keeps at most MAX_ALERTS banners', () => {
    const list: import('../src/alerts').Alert[] = [];
    for (let i = 0; i < MAX_ALERTS + 5; i++) raiseAlert({ id: i, level: 'orange', company_code: 'C' }, list);
    expect(list).toHaveLength(MAX_ALERTS);
    expect(list[0].id).toBe(MAX_ALERTS + 4);
  });
  it('sounds until acknowledged, not when muted nor while suspended (the big screen)', () => {
    // No AudioContext in node: the tone's state is still kept.
    raiseAlert({ id: 99, level: 'red', company_code: 'C' });
    expect(alerts.sounding).toBe(true);
    setMuted(true);
    expect(alerts.sounding).toBe(false);
    setMuted(false);
    suspendTone(true);
    expect(alerts.sounding).toBe(false);
    suspendTone(false);
    expect(alerts.sounding).toBe(true);
    acknowledge(99);
    expect(alerts.sounding).toBe(false);
    acknowledge();
  });
});
