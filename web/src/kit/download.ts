// Downloads of the API's files (statistics and data-quality exports, reports): fetched with the
// bearer token (a plain link cannot send it), saved through a Blob and an <a download>. The name
// comes from the server's Content-Disposition (filename*=UTF-8'' first), else one made here.
import { apiBlob, authHeaders, withQuery, type Query } from '../api/client';
import { ApiError } from '../api/client';

export type ExportFormat = 'csv' | 'xlsx';

/** The file name of a Content-Disposition header: RFC 5987 `filename*` first, then `filename`;
 * path separators and control characters removed; '' when there is none. */
export function dispositionFilename(header: string | null | undefined): string {
  if (!header) return '';
  let name = '';
  const star = /filename\*\s*=\s*([^;]+)/i.exec(header);
  if (star) {
    const v = star[1].trim().replace(/^"(.*)"$/, '$1');
    const m = /^([\w-]+)'[^']*'(.*)$/.exec(v);
    try {
      name = decodeURIComponent(m ? m[2] : v);
    } catch {
      name = '';
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]+)/i.exec(header);
    if (plain) name = plain[2] !== undefined ? plain[2].replace(/\\(.)/g, '$1') : plain[1].trim();
  }
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\\/\u0000-\u001f\u007f]/g, '_').replace(/^\.+/, '').trim();
}

/** A file name for an export when the server gives none: `统计分析-预警事件-按城市-2026-12-01至2026-12-06.xlsx`. */
export function exportFilename(parts: Array<string | null | undefined>, format: string): string {
  const base = parts
    .filter((p): p is string => !!p && p.trim() !== '')
    .map((p) => p.trim().replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_'))
    .join('-');
  return `${base || '导出'}.${format}`;
}

/** Saves a Blob under a name through a temporary object URL. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Fetches `path?query` with the token and saves it; resolves to the name it was saved under. */
export async function downloadFile(path: string, query: Query, fallbackName: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), { headers: authHeaders({ Accept: '*/*' }) });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  if (!res.ok) {
    let p: { code?: string; detail?: string; request_id?: string } = {};
    try {
      p = await res.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, String(p.code ?? ''), String(p.detail ?? ''), String(p.request_id ?? ''));
  }
  const name = dispositionFilename(res.headers.get('Content-Disposition')) || fallbackName;
  saveBlob(await res.blob(), name);
  return name;
}

/** An image or clip of the API as an object URL (revoke it when done). */
export async function objectUrl(path: string, signal?: AbortSignal): Promise<string> {
  const b = await apiBlob(path, { signal });
  return URL.createObjectURL(b);
}
