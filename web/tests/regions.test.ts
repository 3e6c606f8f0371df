import { describe, expect, it } from 'vitest';
import { buildRegions, regionPath } from '../src/kit/regions';

const row = (code: string, name: string, level: 'province' | 'city' | 'county', parent_code: string | null) =>
  ({ code, name, level, parent_code, is_active: true, source: 'roster', created_at: '', updated_at: '' }) as Parameters<typeof buildRegions>[0][number];

describe('regions: names next to codes', () => {
  const r = buildRegions([
    row('140000', '山西省', 'province', null),
    row('140700', '晋中市', 'city', '140000'),
    row('140100', '太原市', 'city', '140000'),
    row('140702', '榆次区', 'county', '140700'),
  ]);
  it('lists the cities in code order for the filters', () => {
    expect(r.cities.map((c) => c.name)).toEqual(['太原市', '晋中市']);
  });
  it('names a county with its city, a city alone, an unknown code as itself', () => {
    expect(regionPath(r, '140702')).toBe('晋中市 · 榆次区');
    expect(regionPath(r, '140100')).toBe('太原市');
    expect(regionPath(r, '149999')).toBe('149999');
    expect(regionPath(null, '140100')).toBe('140100');
    expect(regionPath(r, null)).toBe('');
  });
});
