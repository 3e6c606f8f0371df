import { describe, expect, it } from 'vitest';
import { countByPlace, fireClassLabel, missingAt, yesNo } from '../src/kit/storage';

describe('warehouses and loading platforms on the enterprise page', () => {
  it('writes the fire class as GB 50016 does', () => {
    expect(fireClassLabel('甲', 3)).toBe('甲类3项');
    expect(fireClassLabel('丙', 2)).toBe('丙类2项');
    expect(fireClassLabel('丁', null)).toBe('丁类');
    expect(fireClassLabel(null, null)).toBe('—');
    expect(yesNo(true)).toBe('有');
    expect(yesNo(false)).toBe('无');
    expect(yesNo(null)).toBe('—');
  });

  it('counts points where they say or where their equipment stands', () => {
    const counts = countByPlace(
      [
        { quota_code: 'T1', indicator_type: 'temperature', warehouse_id: 'W1' },
        { quota_code: 'H1', indicator_type: 'humidity', equip_code: 'EQW' },
        { quota_code: 'G1', indicator_type: 'toxic', equip_code: 'EQW', in_use: false },
        { quota_code: 'L1', indicator_type: 'grounding', loading_platform_id: 'P1' },
        { quota_code: 'L2', indicator_type: 'combustible', equip_code: 'EQL' },
        // Its own place wins over its equipment's.
        { quota_code: 'X1', indicator_type: 'overflow', equip_code: 'EQW', loading_platform_id: 'P1' },
        { quota_code: 'U1', indicator_type: 'temperature', equip_code: 'EQU' },
      ],
      [
        { equip_code: 'EQW', warehouse_id: 'W1' },
        { equip_code: 'EQL', loading_platform_id: 'P1' },
        { equip_code: 'EQU' },
      ],
    );
    expect(counts.get('W:W1')).toEqual({ temperature: 1, humidity: 1, gas: 0, grounding: 0, overflow: 0, total: 2 });
    expect(counts.get('L:P1')).toEqual({ temperature: 0, humidity: 0, gas: 1, grounding: 1, overflow: 1, total: 3 });
    expect(counts.size).toBe(2);
    expect(missingAt('warehouse', counts.get('W:W1'))).toEqual(['可燃/有毒气体']);
    expect(missingAt('loading', counts.get('L:P1'))).toEqual([]);
    expect(missingAt('loading', undefined)).toEqual(['可燃/有毒气体泄漏', '静电接地', '溢油']);
  });
});
