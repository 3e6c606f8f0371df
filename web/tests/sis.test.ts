import { describe, expect, it } from 'vitest';
import { bypassBody, bypassProblems, emptyBypassForm, officerSisActions, SIS_STATE_LABELS, sisActions, sisAlert, sisCounts, sisStateText, type SisLoop } from '../src/kit/sis';

function loop(state: SisLoop['state'], more: Partial<SisLoop> = {}): SisLoop {
  return {
    id: 1,
    company_code: '14010600001',
    company_name: '测试',
    tag: 'SIS-101',
    name: '硝化釜超温联锁',
    protected_points: [],
    is_active: true,
    state,
    state_name: SIS_STATE_LABELS[state],
    bypass_expired: false,
    source: 'dashboard',
    created_at: '2026-12-07T02:00:00Z',
    updated_at: '2026-12-07T02:00:00Z',
    ...more,
  } as SisLoop;
}

describe('SIS loops', () => {
  it('says the state in Chinese with the bypass expiry in Beijing time', () => {
    expect(sisStateText(loop('in_service'))).toBe('投用');
    expect(sisStateText(loop('tripped'))).toBe('联锁动作（待复位）');
    expect(sisStateText(loop('bypassed', { bypass_expiry_at: '2026-12-07T04:00:00Z' }))).toBe('旁路（至 2026-12-07 12:00:00）');
    expect(sisStateText(loop('bypassed', { bypass_expiry_at: '2026-12-07T04:00:00Z', bypass_expired: true }))).toBe(
      '旁路（已于 2026-12-07 12:00:00 到期，未恢复）',
    );
  });

  it('marks trips and expired bypasses, not a bypass within its time', () => {
    expect(sisAlert(loop('tripped'))).toBe(true);
    expect(sisAlert(loop('bypassed', { bypass_expired: true }))).toBe(true);
    expect(sisAlert(loop('bypassed'))).toBe(false);
    expect(sisAlert(loop('in_service'))).toBe(false);
  });

  it('counts the loops by state', () => {
    const c = sisCounts([loop('in_service'), loop('in_service'), loop('bypassed', { bypass_expired: true }), loop('bypassed'), loop('tripped')]);
    expect(c).toEqual({ total: 5, in_service: 2, bypassed: 2, tripped: 1, expired: 1 });
    expect(sisCounts([])).toEqual({ total: 0, in_service: 0, bypassed: 0, tripped: 0, expired: 0 });
  });
});

describe('SIS loop actions', () => {
  it('offers what the loop state allows', () => {
    expect(sisActions(loop('in_service'))).toEqual(['bypass', 'trip']);
    expect(sisActions(loop('in_service', { open_bypass_id: 7 }))).toEqual(['approve', 'end', 'trip']);
    expect(sisActions(loop('bypassed', { open_bypass_id: 7 }))).toEqual(['end', 'trip']);
    expect(sisActions(loop('tripped', { open_trip_id: 3 }))).toEqual(['bypass', 'reset']);
    // Officers only approve a requested bypass (four eyes, attack 13.24).
    expect(officerSisActions(loop('in_service', { open_bypass_id: 7 }))).toEqual(['approve']);
    expect(officerSisActions(loop('bypassed', { open_bypass_id: 7 }))).toEqual([]);
    expect(officerSisActions(loop('in_service'))).toEqual([]);
    expect(sisActions(loop('tripped', { open_trip_id: 3, open_bypass_id: 7 }))).toEqual(['end', 'reset']);
  });

  it('checks the bypass form as the server does and builds its body', () => {
    const f = emptyBypassForm();
    expect(bypassProblems(f)).toEqual(['请填写申请人', '请填写审批人', '请填写旁路原因']);
    f.applicant = ' 仪表工王 ';
    f.approver = '生产副总李';
    f.reason = '变送器校验';
    f.hours = 73;
    expect(bypassProblems(f)).toEqual(['旁路时长须在 0–72 小时之间']);
    f.hours = 2;
    expect(bypassProblems(f)).toEqual([]);
    // Nobody approves their own bypass (docs/sis.md); the authority is the server's check.
    f.approver = '仪表工王 ';
    expect(bypassProblems(f)).toEqual(['审批人不得为申请人本人']);
    f.approver = '生产副总李';
    const now = Date.parse('2026-12-07T02:00:00Z');
    expect(bypassBody(f, now)).toEqual({
      applicant: '仪表工王',
      approver: '生产副总李',
      reason: '变送器校验',
      expiry_at: '2026-12-07T04:00:00.000Z',
    });
  });
});
