import { describe, expect, it } from 'vitest';
import { SIS_STATE_LABELS, sisAlert, sisCounts, sisStateText, type SisLoop } from '../src/kit/sis';

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
