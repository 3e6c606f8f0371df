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
