import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/lambda/acmeflow-function.js';
import { TRANSIENT_ERRORS } from '../../shared/workflow/machines/index.js';
import { definitionOf, errorEqualsNames, synthIssuer, type Synthesized } from './support/synth.js';

/** Step Functions' own error names (States.ALL, States.TaskFailed, ...) and the Lambda service's and the .sync integration's. */
const SERVICE_ERROR = /^(States|Lambda|StepFunctions)\.[A-Za-z]+$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every literal error name the code under shared/ assigns (`this.name = 'AcmeBadNonceError'`). */
function literalErrorNames(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(path.join(PROJECT_ROOT, 'shared'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/this\.name\s*=\s*'([A-Za-z0-9]+)'/g)) names.add(match[1] as string);
  }
  return names;
}

let s: Synthesized;
let literals: Set<string>;
beforeAll(() => {
  s = synthIssuer();
  literals = literalErrorNames();
});

describe('ErrorEquals names', () => {
  it('finds the literal error names of the code', () => {
    expect(literals.size).toBeGreaterThan(50);
    expect(literals.has('AcmeBadNonceError')).toBe(true);
    expect(literals.has('NoSuchErrorAnywhere')).toBe(false);
  });

  it('every ErrorEquals name of the synthesized state machines is an error the code throws or a service error', () => {
    const names = new Set<string>();
    for (const machine of [s.issuer.issuanceStateMachine, s.issuer.sweepStateMachine, s.issuer.revocationStateMachine]) {
      for (const name of errorEqualsNames(definitionOf(s.template, s.stack.getLogicalId(machine.node.defaultChild as never)))) names.add(name);
    }
    // The Retry lists are really in the deployed definitions (the check below is not vacuous).
    for (const name of TRANSIENT_ERRORS) expect(names.has(name), name).toBe(true);
    const unknown = [...names].filter((name) => !SERVICE_ERROR.test(name) && !literals.has(name));
    expect(unknown).toEqual([]);
  });
});
