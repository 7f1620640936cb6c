/**
 * A CA account's own new-order limit (`caAccounts.<name>.newOrderLimit`): checked by the one schema
 * on both paths (construct props and config file), carried into every lineage spec of that account
 * as `ca.newOrderLimit` (what PrepareOrder reads), and no longer an environment variable.
 */
import { describe, expect, it } from 'vitest';
import { issuerPropsFromConfig } from '../../infra/config/issuer-config.js';
import { resolveLineages } from '../../infra/lineages/resolve-lineages.js';
import { parseIssuerLineages, resolveLineageSpec } from '../../shared/config/index.js';
import { synthIssuer, testIssuerProps } from './support/synth.js';

const lineages = (newOrderLimit: unknown) => ({
  caAccounts: { le: { preset: 'letsencrypt', newOrderLimit } },
  dnsProviders: { main: { provider: 'route53', config: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } } },
  certificates: [{ domains: ['example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'main' }],
});

describe('the CA account new-order limit', () => {
  it('is accepted by the one schema, with or without the ARI exemption', () => {
    expect(parseIssuerLineages(lineages({ orders: 100, windowSeconds: 10_800 })).caAccounts.le?.newOrderLimit).toEqual({ orders: 100, windowSeconds: 10_800 });
    expect(parseIssuerLineages(lineages({ orders: 1, windowSeconds: 60, ariRenewalsExempt: false })).caAccounts.le?.newOrderLimit).toEqual({
      orders: 1,
      windowSeconds: 60,
      ariRenewalsExempt: false,
    });
  });

  it.each([
    ['no orders', { orders: 0, windowSeconds: 3600 }, /caAccounts\.le\.newOrderLimit\.orders/],
    ['a fractional window', { orders: 5, windowSeconds: 1.5 }, /caAccounts\.le\.newOrderLimit\.windowSeconds/],
    ['a missing window', { orders: 5 }, /caAccounts\.le\.newOrderLimit\.windowSeconds/],
    ['an unknown field', { orders: 5, windowSeconds: 60, burst: 2 }, /caAccounts\.le\.newOrderLimit/],
  ])('rejects %s in props and in the config file alike, naming the field', (_what, limit, message) => {
    expect(() => resolveLineages(lineages(limit) as never)).toThrow(message);
    expect(() => issuerPropsFromConfig(lineages(limit))).toThrow(message);
  });

  it("is carried into each lineage spec of the account (ca.newOrderLimit), from the config file as from props, and survives the spec's own schema", () => {
    const limit = { orders: 100, windowSeconds: 10_800, ariRenewalsExempt: true };
    const [fromProps] = resolveLineages(lineages(limit) as never).specs;
    expect(fromProps?.ca.newOrderLimit).toEqual(limit);
    const { props } = issuerPropsFromConfig(lineages(limit));
    expect(resolveLineages(props).specs[0]?.ca.newOrderLimit).toEqual(limit);
    // The lineage spec's own schema (a spec given directly) takes and keeps it too.
    const direct = resolveLineageSpec({ domains: ['example.net'], keyType: 'ecdsa-p256', ca: { preset: 'letsencrypt', newOrderLimit: limit }, dns: { provider: 'route53' } });
    expect(direct.ca.newOrderLimit).toEqual(limit);
    expect(() =>
      resolveLineageSpec({
        domains: ['example.net'],
        keyType: 'ecdsa-p256',
        ca: { preset: 'letsencrypt', newOrderLimit: { orders: -1, windowSeconds: 1 } },
        dns: { provider: 'route53' },
      }),
    ).toThrow(/ca\.newOrderLimit\.orders/);
    expect(resolveLineages(lineages(undefined) as never).specs[0]?.ca).not.toHaveProperty('newOrderLimit');
  });

  it("reaches only the synthesized specs of that account's certificates, and no function gets ACMEFLOW_NEW_ORDER_LIMIT", () => {
    const base = testIssuerProps();
    const s = synthIssuer(testIssuerProps({ caAccounts: { ...base.caAccounts, le: { ...base.caAccounts.le!, newOrderLimit: { orders: 50, windowSeconds: 3600 } } } }));
    const byCa = s.issuer.lineages.map((spec) => [spec.name, spec.ca.newOrderLimit]);
    expect(byCa).toEqual([
      ['example.jp', undefined],
      ['example.com', { orders: 50, windowSeconds: 3600 }],
      ['example.org', { orders: 50, windowSeconds: 3600 }],
    ]);
    const env = Object.values(s.template.findResources('AWS::Lambda::Function')).map(
      (fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables ?? {},
    );
    expect(env.length).toBeGreaterThan(0);
    for (const variables of env) expect(variables).not.toHaveProperty('ACMEFLOW_NEW_ORDER_LIMIT');
  });
});
