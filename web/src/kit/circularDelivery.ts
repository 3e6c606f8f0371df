// The SMS and e-mail of a circular as its issuer sees them on 通报详情 (送达情况):
// GET /api/v1/circulars/{id}/notifications, docs/circulars.md.

export interface DeliveryMessage {
  step: string;
  channel: string;
  recipient: string;
  recipient_name: string;
  status: string;
  attempts: number;
  last_error?: string | null;
  sent_at?: string | null;
}

export interface DeliveryItem {
  company_code: string;
  company_name: string;
  acknowledged: boolean;
  reachable: boolean | null;
  messages: DeliveryMessage[];
}

export interface Deliveries {
  state: string;
  notify_enabled: boolean;
  items: DeliveryItem[];
  unreachable_codes: string[];
  totals: { sent: number; pending: number; failed: number };
}

export const STEP_LABELS: Record<string, string> = { published: '下发通知', withdrawn: '撤回通知', reminder: '签收提醒' };
export const CHANNEL_LABELS: Record<string, string> = { sms: '短信', email: '邮件' };
export const DELIVERY_STATUS_LABELS: Record<string, string> = { pending: '待发送', sent: '已发送', failed: '发送失败' };

/** One line for the whole circular: 短信和邮件已发送 4 条，待发送 1 条；1 家企业无可用联系人，未能通知. */
export function deliverySummary(d: Pick<Deliveries, 'state' | 'notify_enabled' | 'totals' | 'unreachable_codes'>): string {
  if (!d.notify_enabled) return '本平台未启用短信和邮件通知，企业须登录系统查看通报';
  if (d.state === 'draft') return '下发后将以短信和邮件通知被通报企业';
  const parts = [`短信和邮件已发送 ${d.totals.sent} 条`];
  if (d.totals.pending) parts.push(`待发送 ${d.totals.pending} 条`);
  if (d.totals.failed) parts.push(`发送失败 ${d.totals.failed} 条`);
  let text = parts.join('，');
  if (d.unreachable_codes.length) text += `；${d.unreachable_codes.length} 家企业无可用联系人，未能通知`;
  return text;
}

/** Per enterprise: 未能通知（无联系人）, 已通知（已发送 3/3）, 通知中（已发送 1/3）, 待下发. */
export function reachText(item: Pick<DeliveryItem, 'reachable' | 'messages'>): string {
  if (item.reachable === null) return '待下发';
  if (!item.reachable) return '未能通知（无可用联系人）';
  const told = item.messages.filter((m) => m.step === 'published');
  const sent = told.filter((m) => m.status === 'sent').length;
  const failed = told.filter((m) => m.status === 'failed').length;
  if (sent === told.length) return `已通知（已发送 ${sent}/${told.length}）`;
  if (failed === told.length) return `通知失败（${failed} 条均未送达）`;
  return `通知中（已发送 ${sent}/${told.length}）`;
}

/** 短信 138****0001（王厂长）已发送. */
export function messageText(m: DeliveryMessage): string {
  const who = m.recipient_name ? `${m.recipient}（${m.recipient_name}）` : m.recipient;
  const status = DELIVERY_STATUS_LABELS[m.status] ?? m.status;
  const error = m.status !== 'sent' && m.last_error ? `：${m.last_error}` : '';
  return `${STEP_LABELS[m.step] ?? m.step} · ${CHANNEL_LABELS[m.channel] ?? m.channel} ${who} ${status}${error}`;
}
