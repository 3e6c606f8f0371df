// Circulars (信息通报, docs/circulars.md) on the dashboard: labels, the compose form's checks the
// server also makes, the request body, the attachment checks before an upload, and the
// acknowledgement figures of a circular.
import type { components } from '../api/schema';
import { fromBeijingInput } from '../format';

type S = components['schemas'];
export type Circular = S['Circular'];
export type CircularDetail = S['CircularDetail'];
export type CircularInput = S['CircularInput'];
export type CircularKind = NonNullable<CircularInput['kind']>;
export type CircularState = Circular['state'];

export const KIND_LABELS: Readonly<Record<CircularKind, string>> = {
  warning_disposal: '预警处置',
  data_quality: '数据质量',
  patrol_result: '巡查抽查结果',
  commitment: '安全承诺',
  other: '其他',
};
export const STATE_LABELS: Readonly<Record<CircularState, string>> = { draft: '草稿', published: '已下发', withdrawn: '已撤回' };

/** The attachment types the server takes, with their labels (PDF, images, XLSX). */
export const ATTACHMENT_TYPES: Readonly<Record<string, string>> = {
  'application/pdf': 'PDF',
  'image/png': 'PNG 图片',
  'image/jpeg': 'JPEG 图片',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel 表格',
};
export const MAX_ATTACHMENT_BYTES = 4_000_000;

export interface CircularForm {
  title: string;
  body: string;
  kind: CircularKind;
  codes: string;
  /** datetime-local, Beijing time; empty: three days after publication. */
  deadline: string;
}

export function emptyCircularForm(): CircularForm {
  return { title: '', body: '', kind: 'warning_disposal', codes: '', deadline: '' };
}

/** Enterprise codes from free text (spaces, commas, 、 or new lines), each once, in order. */
export function parseCodes(text: string): string[] {
  const out: string[] = [];
  for (const c of text.split(/[\s,，、;；]+/)) if (c && !out.includes(c)) out.push(c);
  return out;
}

/** What the server would refuse, in Chinese; empty when the form can be sent. */
export function circularProblems(f: CircularForm): string[] {
  const p: string[] = [];
  if (!f.title.trim()) p.push('请填写通报标题');
  if (new TextEncoder().encode(f.title).length > 200) p.push('标题不超过 200 字节');
  if (new TextEncoder().encode(f.body).length > 20000) p.push('正文不超过 20000 字节');
  const codes = parseCodes(f.codes);
  if (!codes.length) p.push('请填写至少一家被通报企业的编码');
  if (codes.length > 500) p.push('一次最多通报 500 家企业');
  if (f.deadline && !fromBeijingInput(f.deadline)) p.push('签收期限不是有效时间');
  return p;
}

export function circularBody(f: CircularForm): CircularInput {
  const body: CircularInput = { title: f.title.trim(), body: f.body, kind: f.kind, company_codes: parseCodes(f.codes) };
  if (f.deadline) body.ack_deadline = fromBeijingInput(f.deadline);
  return body;
}

/** Why a file cannot be attached, or '' when it can. */
export function attachmentProblem(file: { name: string; type: string; size: number }): string {
  if (!ATTACHMENT_TYPES[file.type]) return '附件须为 PDF、PNG、JPEG 图片或 Excel（xlsx）文件';
  if (file.size <= 0) return '附件为空';
  if (file.size > MAX_ATTACHMENT_BYTES) return '附件不超过 4 MB（4,000,000 字节）';
  if (!file.name.trim() || /[\\/"]/.test(file.name)) return '附件名称无效';
  return '';
}

/** 已签收 2/3（1 家逾期）. */
export function ackText(
  c: Pick<Circular, 'state' | 'recipients' | 'acknowledged' | 'overdue'> & { acknowledged_late?: number },
): string {
  if (c.state === 'draft') return `待下发（${c.recipients} 家）`;
  // Acknowledged after the deadline stays visible in the list (attack 13.27).
  const late = c.acknowledged_late ? `，逾期签收 ${c.acknowledged_late}` : '';
  const base = `已签收 ${c.acknowledged}/${c.recipients}${late}`;
  return c.overdue ? `${base}（已逾期）` : base;
}

/** One recipient's acknowledgement: one made after the deadline stays 逾期签收 (attack 12.24). */
export function recipientAckText(r: { acknowledged: boolean; overdue: boolean; late?: boolean }): string {
  if (r.acknowledged) return r.late ? '逾期签收' : '已签收';
  return r.overdue ? '逾期未签收' : '未签收';
}

/** The size of a file for people: 1.2 MB, 35 KB. */
export function sizeText(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1000) return `${Math.round(bytes / 1000)} KB`;
  return `${bytes} 字节`;
}
