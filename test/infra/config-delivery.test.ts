import { describe, expect, it } from 'vitest';
import { issuerPropsFromConfig } from '../../infra/config/issuer-config.js';

const base = { caAccounts: {}, dnsProviders: {}, certificates: [] };

describe('config file: chat notifications, the dashboard, the SSM association', () => {
  it('passes webhooks, the dashboard and the association settings to the construct props', () => {
    const { props } = issuerPropsFromConfig({
      ...base,
      notifications: {
        emails: ['ops@example.jp'],
        webhooks: [
          { kind: 'slack', webhookSecret: 'acmeflow/slack-bot', channel: 'C0123456789', events: ['Certificate Issuance Failed', 'Certificate Deployable'] },
          { kind: 'webhook', url: 'https://hooks.example.jp/acmeflow', webhookSecret: 'acmeflow/webhook', header: 'X-Api-Key' },
        ],
      },
      deployHooks: { ssm: [{ targetTagKey: 'role', targetTagValues: ['web'], reconcileSchedule: 'rate(30 minutes)' }] },
      dashboard: { dashboardName: 'certificates' },
    });
    expect(props.notifications?.emails).toEqual(['ops@example.jp']);
    expect(props.notifications?.webhooks?.map((w) => [w.kind, w.webhookSecret, w.events])).toEqual([
      ['slack', 'acmeflow/slack-bot', ['Certificate Issuance Failed', 'Certificate Deployable']],
      ['webhook', 'acmeflow/webhook', undefined],
    ]);
    expect(props.deployHooks?.ssm?.[0]?.reconcileSchedule).toBe('rate(30 minutes)');
    expect(props.dashboard).toEqual({ dashboardName: 'certificates' });
    expect(issuerPropsFromConfig({ ...base, dashboard: false }).props.dashboard).toBe(false);
  });

  it('rejects an event type acmeflow does not send, an unknown webhook kind and a schedule State Manager cannot read', () => {
    expect(() => issuerPropsFromConfig({ ...base, notifications: { webhooks: [{ kind: 'slack', webhookSecret: 's', channel: 'C1', events: ['Certificate Expired'] }] } })).toThrow(
      /notifications\.webhooks\[0\]\.events\[0\]/,
    );
    expect(() => issuerPropsFromConfig({ ...base, notifications: { webhooks: [{ kind: 'discord', webhookSecret: 's' }] } })).toThrow(/notifications\.webhooks\[0\]\.kind/);
    expect(() => issuerPropsFromConfig({ ...base, deployHooks: { ssm: [{ targetTagKey: 'k', targetTagValues: ['v'], reconcileSchedule: 'hourly' }] } })).toThrow(
      /deployHooks\.ssm\[0\]\.reconcileSchedule/,
    );
  });
});
