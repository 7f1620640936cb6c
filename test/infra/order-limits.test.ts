/**
 * The issuer-wide order cap in the synthesized template: every function gets `ACMEFLOW_ORDER_SLOTS`
 * equal to `sweepConcurrency` (the Distributed Map's MaxConcurrency too), so one cap holds across
 * every sweep.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_CONCURRENCY } from '../../shared/workflow/machines/index.js';
import { synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

let byDefault: Synthesized;
let tuned: Synthesized;
beforeAll(() => {
  byDefault = synthIssuer();
  tuned = synthIssuer(testIssuerProps({ sweepConcurrency: 35 }));
});

const slotsOf = (s: Synthesized) =>
  Object.values(s.template.findResources('AWS::Lambda::Function'))
    .map((fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables?.ACMEFLOW_ORDER_SLOTS)
    .filter((v) => v !== undefined);

describe('the order cap across sweeps', () => {
  it('passes sweepConcurrency to the functions as ACMEFLOW_ORDER_SLOTS (default 50, the one constant)', () => {
    expect(DEFAULT_SWEEP_CONCURRENCY).toBe(50);
    expect(new Set(slotsOf(byDefault))).toEqual(new Set(['50']));
    expect(new Set(slotsOf(tuned))).toEqual(new Set(['35']));
    expect(slotsOf(tuned).length).toBeGreaterThan(1);
  });

  it('keeps the Distributed Map on the same number, by default too', () => {
    const defaults = Object.values(byDefault.template.findResources('AWS::StepFunctions::StateMachine')).map((m) => JSON.stringify((m as { Properties: unknown }).Properties));
    expect(defaults.some((m) => m.includes('\\"MaxConcurrency\\":50'))).toBe(true);
    const machines = Object.values(tuned.template.findResources('AWS::StepFunctions::StateMachine')).map((m) => JSON.stringify((m as { Properties: unknown }).Properties));
    expect(machines.some((m) => m.includes('\\"MaxConcurrency\\":35'))).toBe(true);
  });
});
