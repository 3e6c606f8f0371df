// Enterprise names for rows that carry only a company code (filings, credentials, users,
// points): fetched once per code and session, at most 100 codes at a time; an enterprise the
// caller may not see stays a bare code.
import { reactive } from 'vue';
import { get } from '../api/client';
import type { EnterprisesRow } from '../api/types';

const names = reactive(new Map<string, string>());
const asked = new Set<string>();

export function enterpriseName(code: string | null | undefined): string {
  return (code && names.get(code)) || '';
}

export async function resolveEnterprises(codes: Iterable<string | null | undefined>): Promise<void> {
  const todo = [...new Set([...codes].filter((c): c is string => !!c && /^\d{11}$/.test(c) && !asked.has(c)))].slice(0, 100);
  todo.forEach((c) => asked.add(c));
  await Promise.all(
    todo.map((c) =>
      get<EnterprisesRow>(`/api/v1/enterprises/${c}`)
        .then((e) => names.set(c, e.name))
        .catch(() => undefined),
    ),
  );
}

// Point names for the live feed, whose stream events carry only the quota code: fetched once per
// code, at most 50 codes per call, and kept for at most POINT_NAMES_MAX codes (the big screen
// stays open for days: the oldest code is forgotten first, and asked again if it comes back).
export const POINT_NAMES_MAX = 500;
const pointNames = reactive(new Map<string, string>());
const pointAsked = new Set<string>();

export function pointName(quota: string | null | undefined): string {
  return (quota && pointNames.get(quota)) || '';
}

function forgetOldest(): void {
  while (pointAsked.size > POINT_NAMES_MAX) {
    const oldest = pointAsked.values().next().value as string;
    pointAsked.delete(oldest);
    pointNames.delete(oldest);
  }
}

export async function resolvePoints(codes: Iterable<string | null | undefined>): Promise<void> {
  const todo = [...new Set([...codes].filter((c): c is string => !!c && c.length <= 64 && !pointAsked.has(c)))].slice(0, 50);
  todo.forEach((c) => pointAsked.add(c));
  forgetOldest();
  await Promise.all(
    todo.map((c) =>
      get<{ name: string }>(`/api/v1/monitoring-points/${encodeURIComponent(c)}`)
        .then((p) => {
          if (pointAsked.has(c) && p?.name) pointNames.set(c, p.name);
        })
        .catch(() => undefined),
    ),
  );
}
