import { describe, expect, it } from 'vitest';
import { ackText, attachmentProblem, circularBody, circularProblems, emptyCircularForm, parseCodes, recipientAckText, sizeText } from '../src/kit/circular';

describe('circular kit', () => {
  it('reads enterprise codes from free text, each once, in order', () => {
    expect(parseCodes(' 14092400001，14092400002\n14092400001、14092500001 ; ')).toEqual(['14092400001', '14092400002', '14092500001']);
    expect(parseCodes('   ')).toEqual([]);
  });

  it('refuses what the server refuses, in Chinese', () => {
    const f = emptyCircularForm();
    expect(circularProblems(f)).toEqual(['请填写通报标题', '请填写至少一家被通报企业的编码']);
    f.title = '关于数据质量的通报';
    f.codes = '14092400001';
    expect(circularProblems(f)).toEqual([]);
    f.title = '通'.repeat(67); // 201 bytes in UTF-8
    expect(circularProblems(f)).toContain('标题不超过 200 字节');
    f.title = '通报';
    f.deadline = 'tomorrow';
    expect(circularProblems(f)).toContain('签收期限不是有效时间');
  });

  it('builds the body with the deadline in UTC from Beijing wall time', () => {
    const f = { ...emptyCircularForm(), title: ' 通报 ', body: '正文', kind: 'data_quality' as const, codes: '14092400001 14092400002', deadline: '2026-12-10T18:00' };
    expect(circularBody(f)).toEqual({
      title: '通报',
      body: '正文',
      kind: 'data_quality',
      company_codes: ['14092400001', '14092400002'],
      ack_deadline: '2026-12-10T10:00:00Z',
    });
    expect('ack_deadline' in circularBody({ ...f, deadline: '' })).toBe(false);
  });

  it('checks an attachment before the upload', () => {
    expect(attachmentProblem({ name: '通报.pdf', type: 'application/pdf', size: 1000 })).toBe('');
    expect(attachmentProblem({ name: 'a.docx', type: 'application/msword', size: 10 })).toContain('PDF');
    expect(attachmentProblem({ name: 'big.pdf', type: 'application/pdf', size: 4_000_001 })).toContain('4 MB');
    expect(attachmentProblem({ name: 'empty.png', type: 'image/png', size: 0 })).toBe('附件为空');
  });

  it('says how many have signed', () => {
    expect(ackText({ state: 'published', recipients: 3, acknowledged: 1, overdue: false })).toBe('已签收 1/3');
    expect(ackText({ state: 'published', recipients: 3, acknowledged: 1, overdue: true })).toBe('已签收 1/3（已逾期）');
    expect(ackText({ state: 'draft', recipients: 2, acknowledged: 0, overdue: false })).toBe('待下发（2 家）');
    expect(ackText({ state: 'published', recipients: 3, acknowledged: 3, acknowledged_late: 1, overdue: false })).toBe(
      '已签收 3/3，逾期签收 1',
    );
    expect(sizeText(1_234_567)).toBe('1.2 MB');
    expect(sizeText(35_400)).toBe('35 KB');
  });

  it('keeps a late acknowledgement visible', () => {
    expect(recipientAckText({ acknowledged: true, overdue: false, late: true })).toBe('逾期签收');
    expect(recipientAckText({ acknowledged: true, overdue: false, late: false })).toBe('已签收');
    expect(recipientAckText({ acknowledged: false, overdue: true, late: false })).toBe('逾期未签收');
    expect(recipientAckText({ acknowledged: false, overdue: false })).toBe('未签收');
  });
});
