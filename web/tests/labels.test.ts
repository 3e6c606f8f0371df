import { describe, expect, it } from 'vitest';
import { equip_typeValues } from '../src/api/schema';
import { EQUIP_TYPE_LABELS } from '../src/kit/labels';
import { label } from '../src/format';

describe('equipment types in Chinese (the enterprise file)', () => {
  it('has a Chinese name for every type of the OpenAPI enum', () => {
    expect(equip_typeValues.length).toBeGreaterThanOrEqual(5);
    for (const t of equip_typeValues) expect(label(EQUIP_TYPE_LABELS, t)).toMatch(/^[\u4e00-\u9fff]+$/);
  });
  it('names the DOMAIN.md codes', () => {
    expect(label(EQUIP_TYPE_LABELS, 'G0')).toBe('储罐');
    expect(label(EQUIP_TYPE_LABELS, 'C0')).toBe('仓库');
    expect(label(EQUIP_TYPE_LABELS, 'S0')).toBe('生产装置');
  });
});
