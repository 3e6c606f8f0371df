import { describe, expect, it } from 'vitest';
import { toLiveEvent } from '../src/api/stream';
import { applyCallEvent, callSummary, canCall, incomingRinging, otherSide, type DutyCall } from '../src/kit/calls';

function call(over: Partial<DutyCall>): DutyCall {
  return {
    id: 1,
    caller: { kind: 'region', code: '140000', name: '山西省' },
    caller_name: 'prov_duty',
    mine: false,
    callee: { kind: 'region', code: '140100', name: '太原市' },
    incoming: true,
    state: 'ringing',
    started_at: '2026-12-07T01:00:00Z',
    answered_at: null,
    ended_at: null,
    ended_by: null,
    end_reason: null,
    participants: [],
    ...over,
  } as DutyCall;
}

describe('duty-room calls (可视化调度)', () => {
  it('rings only for calls placed to the room by someone else and still ringing', () => {
    const list = [
      call({ id: 1 }),
      call({ id: 2, incoming: false, mine: true }),
      call({ id: 3, state: 'active' }),
      call({ id: 4, state: 'ended', end_reason: 'unanswered' }),
    ];
    expect(incomingRinging(list).map((c) => c.id)).toEqual([1]);
  });

  it('names the other side: the caller and who placed it when incoming, the called room otherwise', () => {
    expect(otherSide(call({}))).toBe('山西省（prov_duty）');
    expect(otherSide(call({ incoming: false, mine: true }))).toBe('太原市');
    expect(otherSide(call({ incoming: false, callee: { kind: 'enterprise', code: '14010500001', name: '' } }))).toBe('14010500001');
  });

  it('says how a call ended in Chinese', () => {
    expect(callSummary(call({}))).toBe('来自 山西省（prov_duty） · 呼叫中');
    expect(callSummary(call({ state: 'ended', end_reason: 'declined' }))).toBe('来自 山西省（prov_duty） · 已拒接');
    expect(callSummary(call({ incoming: false, state: 'ended', end_reason: 'unanswered' }))).toBe('呼叫 太原市 · 无人接听');
  });

  it('lets duty rooms call, not operators or machines', () => {
    for (const r of ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'enterprise_user']) expect(canCall(r)).toBe(true);
    for (const r of ['operator', 'gateway', 'city_platform', undefined]) expect(canCall(r)).toBe(false);
  });

  it('rings at once for a pushed call and stops when it is answered or ended', () => {
    let list = applyCallEvent([], call({ id: 7 }));
    expect(list.map((c) => c.id)).toEqual([7]);
    list = applyCallEvent(list, call({ id: 8 }));
    expect(list.map((c) => c.id)).toEqual([8, 7]);
    expect(applyCallEvent(list, call({ id: 7, state: 'active' })).map((c) => c.id)).toEqual([8]);
    expect(applyCallEvent(list, call({ id: 8, state: 'ended', end_reason: 'hung_up' })).map((c) => c.id)).toEqual([7]);
    // Placed by the reader himself: never rings for him.
    expect(applyCallEvent([], call({ id: 9, mine: true, incoming: false }))).toEqual([]);
  });

  it('reads the stream\'s call event and refuses a payload without its fields', () => {
    const e = toLiveEvent({ event: 'call', data: JSON.stringify(call({ id: 5 })) });
    expect(e?.kind).toBe('call');
    expect(e?.kind === 'call' && e.data.id).toBe(5);
    expect(toLiveEvent({ event: 'call', data: '{"id":"5"}' })).toBeNull();
    expect(toLiveEvent({ event: 'call', data: 'not json' })).toBeNull();
  });
});
