// A typed fetch wrapper for hazmond's API: the bearer token from the login, problem+json errors
// turned into Chinese messages (branching on the stable `code`, never on `detail`), and a 401
// sending the user back to the login page.
import type { Problem, ProblemCode } from './types';

export const PROBLEM_MESSAGES: Readonly<Record<ProblemCode, string>> = {
  bad_request: '请求参数有误',
  bad_target: '请求地址有误',
  malformed_request: '请求格式有误',
  bad_path: '请求路径不允许',
  unauthenticated: '未登录或登录已失效，请重新登录',
  forbidden: '没有权限执行此操作',
  not_found: '对象不存在或不在您的权限范围内',
  route_not_found: '接口不存在',
  file_not_found: '文件不存在',
  video_disabled: '本服务器未启用视频功能（构建时未包含视频模块）',
  method_not_allowed: '不支持的请求方法',
  request_timeout: '请求超时，请重试',
  conflict: '操作冲突（数据已被他人修改或状态已变化），请刷新后重试',
  body_too_large: '提交的数据过大',
  too_large: '查询范围过大，请缩小时间范围或筛选条件',
  unsupported_media_type: '不支持的数据格式',
  validation_failed: '数据校验未通过',
  throttled: '操作过于频繁，请稍后再试',
  header_too_large: '请求头过大',
  internal: '服务器内部错误，请联系运维人员',
  busy: '服务器繁忙，请稍后重试',
  unavailable: '服务暂不可用，请稍后重试',
};

/** An API call that failed: an HTTP problem, or the network. `message` is for people (Chinese). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly requestId: string;
  readonly fields: { pointer: string; message: string }[];

  constructor(status: number, code: string, detail: string, requestId = '', fields: { pointer: string; message: string }[] = []) {
    super(problemMessage(status, code, fields));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.requestId = requestId;
    this.fields = fields;
  }
}

export function problemMessage(status: number, code: string, fields: { pointer: string; message: string }[] = []): string {
  const base =
    (PROBLEM_MESSAGES as Record<string, string>)[code] ??
    (status === 0 ? '无法连接服务器，请检查网络' : status >= 500 ? `服务器错误（${status}）` : `请求失败（${status}）`);
  if (!fields.length) return base;
  return base + '：' + fields.map((f) => (f.pointer ? `${f.pointer} ${f.message}` : f.message)).join('；');
}

type Listener = () => void;
let token: string | null = null;
const unauthorizedListeners = new Set<Listener>();

export function setToken(t: string | null): void {
  token = t;
}
export function getToken(): string | null {
  return token;
}
/** Called when the server answers 401 to a call made with a token: the session is over. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? path + (path.includes('?') ? '&' : '?') + s : path;
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat a 401 as the end of the session (the login call itself). */
  noAuthRedirect?: boolean;
}

export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return token ? { ...extra, Authorization: 'Bearer ' + token } : extra;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = authHeaders({ Accept: 'application/json' });
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method: opts.method ?? 'GET', headers, body, signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', String(e));
  }
  if (!res.ok) throw await toError(res, opts);
  return res;
}

async function toError(res: Response, opts: RequestOptions): Promise<ApiError> {
  let p: Partial<Problem> = {};
  try {
    p = (await res.json()) as Partial<Problem>;
  } catch {
    /* not JSON: the status says enough */
  }
  const err = new ApiError(res.status, String(p.code ?? ''), String(p.detail ?? ''), String(p.request_id ?? ''), p.errors ?? []);
  if (res.status === 401 && token && !opts.noAuthRedirect) for (const fn of unauthorizedListeners) fn();
  return err;
}

/** A JSON API call; resolves to the parsed body (undefined for 204). */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A binary API call (snapshots, clips, exports) as a Blob. */
export async function apiBlob(path: string, opts: RequestOptions = {}): Promise<Blob> {
  const res = await send(path, opts);
  return res.blob();
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => api<T>(path, { query, signal });
export const post = <T>(path: string, body?: unknown) => api<T>(path, { method: 'POST', body: body ?? {} });
export const patch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body });
export const put = <T>(path: string, body: unknown) => api<T>(path, { method: 'PUT', body });
export const del = <T>(path: string) => api<T>(path, { method: 'DELETE' });

/** The message to show for any error thrown by an API call or a page's own code. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
