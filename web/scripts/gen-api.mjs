// Generates src/api/schema.ts from ../schemas/openapi.yaml with openapi-typescript: the types of
// every path and schema, plus `<name>Values` arrays of every enum (--enum-values), so that filters
// offer exactly the API's values. openapi-typescript names those arrays after the schema in
// camelCase, which can collide (`Role` and the registry's `role`): later duplicates get a numeric
// suffix here, the first keeps its name.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(web, 'src/api/schema.ts');
const cli = join(web, 'node_modules/openapi-typescript/bin/cli.js');
execFileSync(process.execPath, [cli, join(web, '../schemas/openapi.yaml'), '--enum-values', '-o', out], { stdio: 'inherit' });

const seen = new Map();
const text = readFileSync(out, 'utf8').replace(/^export const (\w+)(?=[:\s=])/gm, (m, name) => {
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  return n === 1 ? m : `export const ${name}_${n}`;
});
writeFileSync(out, text);
