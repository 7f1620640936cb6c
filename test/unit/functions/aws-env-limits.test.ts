/** The environment variable of the issuer-wide order cap, ACMEFLOW_ORDER_SLOTS (new-order limits are per CA account, in the lineage spec). */
import { describe, expect, it } from 'vitest';
import { readAwsEnvironment } from '../../../functions/runtime/aws-env.js';

const base = { ACMEFLOW_BUCKET: 'certs', AWS_REGION: 'eu-west-1' };

describe('readAwsEnvironment: issuer-wide limits', () => {
  it('reads the order slots; the new-order limit is no environment variable any more', () => {
    expect(readAwsEnvironment({ ...base, ACMEFLOW_ORDER_SLOTS: '25' })).toMatchObject({ orderSlots: 25 });
    const plain = readAwsEnvironment(base);
    expect(plain).not.toHaveProperty('orderSlots');
    expect(readAwsEnvironment({ ...base, ACMEFLOW_NEW_ORDER_LIMIT: '1/3600' } as typeof base)).not.toHaveProperty('newOrderLimit');
  });

  it('refuses malformed values, naming the variable', () => {
    expect(() => readAwsEnvironment({ ...base, ACMEFLOW_ORDER_SLOTS: '0' })).toThrow(/ACMEFLOW_ORDER_SLOTS/);
    expect(() => readAwsEnvironment({ ...base, ACMEFLOW_ORDER_SLOTS: '2.5' })).toThrow(/ACMEFLOW_ORDER_SLOTS/);
  });
});
