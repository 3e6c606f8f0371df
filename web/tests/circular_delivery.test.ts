import { describe, expect, it } from 'vitest';
import { deliverySummary, messageText, reachText, type DeliveryMessage } from '../src/kit/circularDelivery';

const msg = (over: Partial<DeliveryMessage>): DeliveryMessage => ({
  step: 'published',
  channel: 'sms',
  recipient: '138****0311',
  recipient_name: '甲企业值班员',
  status: 'sent',
  attempts: 1,
  last_error: null,
  sent_at: '2026-12-07T06:00:00Z',
  ...over,
});

describe('circular delivery (送达情况)', () => {
  it('sums the circular up for its issuer', () => {
    const totals = { sent: 4, pending: 1, failed: 0 };
    expect(deliverySummary({ state: 'published', notify_enabled: true, totals, unreachable_codes: ['14092400032'] })).toBe(
      '短信和邮件已发送 4 条，待发送 1 条；1 家企业无可用联系人，未能通知',
    );
    expect(deliverySummary({ state: 'published', notify_enabled: true, totals: { sent: 2, pending: 0, failed: 1 }, unreachable_codes: [] })).toBe(
      '短信和邮件已发送 2 条，发送失败 1 条',
    );
    expect(deliverySummary({ state: 'draft', notify_enabled: true, totals: { sent: 0, pending: 0, failed: 0 }, unreachable_codes: [] })).toContain('下发后');
    expect(deliverySummary({ state: 'published', notify_enabled: false, totals, unreachable_codes: [] })).toContain('未启用');
  });

  it('says per enterprise whether it was told', () => {
    expect(reachText({ reachable: null, messages: [] })).toBe('待下发');
    expect(reachText({ reachable: false, messages: [] })).toBe('未能通知（无可用联系人）');
    const told = [msg({}), msg({ channel: 'email', recipient: 'a@x.test' }), msg({ recipient: '137****0312', status: 'pending' })];
    expect(reachText({ reachable: true, messages: told })).toBe('通知中（已发送 2/3）');
    // The withdrawal notice does not count towards the publication.
    expect(reachText({ reachable: true, messages: [msg({}), msg({ step: 'withdrawn', status: 'pending' })] })).toBe('已通知（已发送 1/1）');
    expect(reachText({ reachable: true, messages: [msg({ status: 'failed' })] })).toBe('通知失败（1 条均未送达）');
  });

  it('describes one message with its state and error', () => {
    expect(messageText(msg({}))).toBe('下发通知 · 短信 138****0311（甲企业值班员） 已发送');
    expect(messageText(msg({ step: 'reminder', channel: 'email', recipient: 'd@x.test', recipient_name: '', status: 'pending', last_error: 'connection refused' }))).toBe(
      '签收提醒 · 邮件 d@x.test 待发送：connection refused',
    );
  });
});
