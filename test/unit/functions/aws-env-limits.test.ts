/** The environment variables of the issuer-wide limits: ACMEFLOW_ORDER_SLOTS and ACMEFLOW_NEW_ORDER_LIMIT. */
import { describe, expect, it } from 'vitest';
import { readAwsEnvironment } from '../../../functions/runtime/aws-env.js';

const base = { ACMEFLOW_BUCKET: 'certs', AWS_REGION: 'eu-west-1' };

describe('readAwsEnvironment: issuer-wide limits', () => {
  it('reads the order slots and the new-order limit, with or without the ARI exemption', () => {
    expect(readAwsEnvironment({ ...base, ACMEFLOW_ORDER_SLOTS: '25', ACMEFLOW_NEW_ORDER_LIMIT: '300/10800/ari-exempt' })).toMatchObject({
      orderSlots: 25,
      newOrderLimit: { orders: 300, windowSeconds: 10_800, ariRenewalsExempt: true },
    });
    expect(readAwsEnvironment({ ...base, ACMEFLOW_NEW_ORDER_LIMIT: '100/3600' }).newOrderLimit).toEqual({ orders: 100, windowSeconds: 3600, ariRenewalsExempt: false });
    const plain = readAwsEnvironment(base);
    expect(plain).not.toHaveProperty('orderSlots');
    expect(plain).not.toHaveProperty('newOrderLimit');
  });

  it('refuses malformed values, naming the variable', () => {
    expect(() => readAwsEnvironment({ ...base, ACMEFLOW_ORDER_SLOTS: '0' })).toThrow(/ACMEFLOW_ORDER_SLOTS/);
    expect(() => readAwsEnvironment({ ...base, ACMEFLOW_ORDER_SLOTS: '2.5' })).toThrow(/ACMEFLOW_ORDER_SLOTS/);
    expect(() => readAwsEnvironment({ ...base, ACMEFLOW_NEW_ORDER_LIMIT: '300 per 3h' })).toThrow(/ACMEFLOW_NEW_ORDER_LIMIT/);
    expect(() => readAwsEnvironment({ ...base, ACMEFLOW_NEW_ORDER_LIMIT: '0/3600' })).toThrow(/ACMEFLOW_NEW_ORDER_LIMIT/);
  });
});
