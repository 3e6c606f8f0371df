import { describe, expect, it } from 'vitest';
import { ACTION_SPECS, buildTransition } from '../src/disposal';
import { warningTransitionActionValues } from '../src/api/schema';

describe('disposal actions', () => {
  it('has a form for every action of the OpenAPI enum', () => {
    expect(Object.keys(ACTION_SPECS).sort()).toEqual([...warningTransitionActionValues].sort());
  });
  it('feedback needs a cause and measures', () => {
    expect(buildTransition('feedback', { cause: '', measures: 'x', text: '' })).toEqual({ error: '请选择原因' });
    expect(buildTransition('feedback', { cause: 'maintenance', measures: ' ', text: '' })).toEqual({ error: '请填写处置措施' });
    expect(buildTransition('feedback', { cause: 'maintenance', measures: '已停泵检修', text: '' })).toEqual({
      body: { action: 'feedback', cause: 'maintenance', measures: '已停泵检修' },
    });
  });
  it('reject, dismiss and supervise need their reason', () => {
    for (const a of ['reject', 'dismiss', 'supervise'] as const) {
      expect(buildTransition(a, { cause: '', measures: '', text: '' })).toHaveProperty('error');
      expect(buildTransition(a, { cause: '', measures: '', text: '理由' })).toEqual({ body: { action: a, text: '理由' } });
    }
  });
  it('check and close take an optional text', () => {
    expect(buildTransition('check', { cause: '', measures: '', text: '' })).toEqual({ body: { action: 'check' } });
    expect(buildTransition('close', { cause: '', measures: '', text: ' 已整改 ' })).toEqual({ body: { action: 'close', text: '已整改' } });
  });
});
