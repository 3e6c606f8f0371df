import { describe, expect, it } from 'vitest';
import { ApiError, PROBLEM_MESSAGES, problemMessage, withQuery } from '../src/api/client';
import { problemCodeValues } from '../src/api/schema';

describe('problem+json in Chinese', () => {
  it('has a Chinese message for every problem code of the OpenAPI enum', () => {
    for (const c of problemCodeValues) expect(PROBLEM_MESSAGES[c]).toMatch(/[\u4e00-\u9fff]/);
  });
  it('names the fields of a validation failure', () => {
    const e = new ApiError(422, 'validation_failed', 'bad', 'r1', [{ pointer: '/text', message: 'required' }]);
    expect(e.message).toBe('数据校验未通过：/text required');
    expect(e.requestId).toBe('r1');
  });
  it('falls back on the status for unknown codes', () => {
    expect(problemMessage(502, 'whatever')).toBe('服务器错误（502）');
    expect(problemMessage(0, 'network')).toBe('无法连接服务器，请检查网络');
  });
});

describe('withQuery', () => {
  it('drops empty values and encodes the rest', () => {
    expect(withQuery('/a', { x: 'a b', y: '', z: null, n: 0, t: true })).toBe('/a?x=a+b&n=0&t=true');
    expect(withQuery('/a?k=1', { x: 2 })).toBe('/a?k=1&x=2');
  });
});
