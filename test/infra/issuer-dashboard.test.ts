import { beforeAll, describe, expect, it } from 'vitest';
import {
  DAYS_TO_EXPIRY_MIN,
  DAYS_TO_EXPIRY_SERVED,
  LINEAGES_CHECKED,
  LINEAGES_SKIPPED,
  LINEAGES_UNREADABLE,
  SERVED_METRICS_DIMENSION,
  METRICS_NAMESPACE,
} from '../../shared/workflow/machines/metrics.js';
import { EXPIRY_TABLE_ROWS } from '../../infra/dashboard/issuer-dashboard.js';
import { LINEAGE_EXPIRY_MESSAGE } from '../../shared/workflow/lineage-expiry-log.js';
import { renderIntrinsic, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

interface Widget {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; annotations?: { horizontal?: { value: number }[] }; alarms?: string[]; view?: string; query?: string };
}

let s: Synthesized;
let widgets: Widget[];
beforeAll(() => {
  s = synthIssuer(testIssuerProps({ expiryAlarmDays: 20, dashboard: { dashboardName: 'acmeflow-test' } }));
  const dashboards = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  expect(dashboards[0]!.Properties.DashboardName).toBe('acmeflow-test');
  // The body is a Fn::Join of text and the resource names; rendered, it parses as the dashboard JSON.
  widgets = (JSON.parse(renderIntrinsic(dashboards[0]!.Properties.DashboardBody)) as { widgets: Widget[] }).widgets;
});

const byTitle = (title: string) => {
  const found = widgets.filter((w) => w.properties.title === title);
  expect(found.length, title).toBeGreaterThan(0);
  return found;
};
/** Each metric line of a widget as `namespace/name` (dimensions and options dropped), or its expression. */
const lines = (widget: Widget) =>
  (widget.properties.metrics ?? []).map((m) => {
    const options = m[m.length - 1] as { expression?: string } | undefined;
    return options && typeof options === 'object' && options.expression ? options.expression : `${String(m[0])}/${String(m[1])}`;
  });
const bucket = () => `\${${s.stack.getLogicalId(s.issuer.bucket.node.defaultChild as never)}}`;
const machine = (m: { node: { defaultChild?: unknown } }) => `\${${s.stack.getLogicalId(m.node.defaultChild as never)}}`;

describe('the issuer dashboard', () => {
  it('shows days to expiry: the stored certificate that expires first, and the served one per lineage, with the alarm threshold', () => {
    for (const widget of byTitle('Days to expiry, stored (first to expire)')) {
      expect(lines(widget)).toEqual([`${METRICS_NAMESPACE}/${DAYS_TO_EXPIRY_MIN}`]);
      // Scoped to this issuer's bucket, as the sweep writes it.
      expect(widget.properties.metrics?.[0]).toEqual([METRICS_NAMESPACE, DAYS_TO_EXPIRY_MIN, 'Bucket', bucket(), expect.objectContaining({ stat: 'Minimum' })]);
    }
    const [served] = byTitle('Days to expiry, served, per lineage');
    expect(lines(served!)).toEqual([`SEARCH('{${METRICS_NAMESPACE},${SERVED_METRICS_DIMENSION}} MetricName="${DAYS_TO_EXPIRY_SERVED}"', 'Minimum', 3600)`]);
    expect(served!.properties.annotations?.horizontal?.[0]?.value).toBe(20);
  });

  it('lists the stored days to expiry per lineage, fewest first, from the planning function\u2019s log (no metric per lineage)', () => {
    const [table] = byTitle(`Days to expiry, stored, per lineage (the ${EXPIRY_TABLE_ROWS} fewest, from the last full sweeps)`);
    expect(table!.type).toBe('log');
    expect(table!.properties.view).toBe('table');
    // The PlanRenewals function's own log group, as its LoggingConfig names it.
    const planId = s.stack.getLogicalId((s.issuer.functions.PlanRenewals as unknown as { node: { defaultChild: never } }).node.defaultChild);
    const planLogGroup = renderIntrinsic(
      (s.template.findResources('AWS::Lambda::Function')[planId]!.Properties as { LoggingConfig: { LogGroup: unknown } }).LoggingConfig.LogGroup,
    );
    expect(table!.properties.query).toBe(
      [
        `SOURCE '${planLogGroup}' | fields lineage, notAfter, daysLeft`,
        `filter message = "${LINEAGE_EXPIRY_MESSAGE}"`,
        'stats latest(daysLeft) as daysLeft, latest(notAfter) as notAfter by lineage',
        'sort daysLeft asc',
        `limit ${EXPIRY_TABLE_ROWS}`,
      ].join('\n| '),
    );
  });

  it('shows issuances succeeded and failed per day from the issuance state machine', () => {
    const [widget] = byTitle('Issuances per day');
    const metrics = widget!.properties.metrics ?? [];
    expect(metrics).toContainEqual([
      'AWS/States',
      'ExecutionsSucceeded',
      'StateMachineArn',
      machine(s.issuer.issuanceStateMachine),
      expect.objectContaining({ stat: 'Sum', period: 86400 }),
    ]);
    expect(lines(widget!)).toContain('FILL(failed, 0) + FILL(timedOut, 0)');
    const hidden = metrics.filter((m) => (m[m.length - 1] as { visible?: boolean }).visible === false).map((m) => m[1]);
    expect(hidden.sort()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
  });

  it('shows sweep duration and the lineages sweeps checked, skipped and could not read', () => {
    const [duration] = byTitle('Sweep duration');
    expect(duration!.properties.metrics?.[0]?.slice(0, 4)).toEqual(['AWS/States', 'ExecutionTime', 'StateMachineArn', machine(s.issuer.sweepStateMachine)]);
    const [lineages] = byTitle('Lineages per day: checked, skipped (locked by another run), unreadable');
    expect(lines(lineages!).sort()).toEqual([LINEAGES_CHECKED, LINEAGES_SKIPPED, LINEAGES_UNREADABLE].map((n) => `${METRICS_NAMESPACE}/${n}`).sort());
  });

  it("shows every alarm of the issuer's state", () => {
    const [status] = widgets.filter((w) => w.type === 'alarm');
    expect(status!.properties.alarms).toHaveLength(s.issuer.alarms.all().length);
  });

  it('is left out with dashboard: false', () => {
    const none = synthIssuer(testIssuerProps({ dashboard: false }));
    expect(none.template.findResources('AWS::CloudWatch::Dashboard')).toEqual({});
    expect(none.issuer.dashboard).toBeUndefined();
  });
});
