/**
 * Writes the synthesized state machine definitions, tokens resolved to placeholders, to
 * `shared/workflow/machines/asl/{issuance,sweep,revocation}.asl.json` (`npm run definitions`). With `--check`,
 * writes nothing and exits 1 when a committed file differs from a fresh synth.
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFINITION_NAMES, definitionFile, formatDefinition, renderDefinitions } from './render-definitions.js';

const check = process.argv.includes('--check');
const rendered = renderDefinitions();
let stale = 0;
for (const name of DEFINITION_NAMES) {
  const file = definitionFile(name);
  const text = formatDefinition(rendered[name]);
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (committed !== text) {
      stale++;
      process.stderr.write(`${path.relative(process.cwd(), file)} differs from a fresh synth; run "npm run definitions".\n`);
    }
  } else {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
