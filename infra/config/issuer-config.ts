import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { ConfigError, configErrorFrom, issuerLineagesSchema } from '../../shared/config/index.js';
import { EVENT_SCHEMAS, type EventDetailType } from '../../shared/events/events.js';
import type { AcmeIssuerProps } from '../acme-issuer-props.js';

/** The example config, relative to the project root. */
export const DEFAULT_CONFIG_FILE = 'infra/config/example.json';

const lineageList = z.array(z.string().min(1)).optional();
const eventTypes = Object.keys(EVENT_SCHEMAS) as [EventDetailType, ...EventDetailType[]];

/**
 * The config file `infra/app.ts` builds its stack from: the serialisable part of
 * {@link AcmeIssuerProps} (durations in minutes or days, the schedule as a Scheduler expression), plus
 * the stack name. Certificates, CA accounts and DNS providers are the construct's own schema
 * (`issuerLineagesSchema`), so the file and the props accept and reject the same values. Unknown
 * fields are errors, so a typo never silently becomes a default.
 */
export const issuerConfigSchema = z
  .object({
    /** @default 'Acmeflow' */
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/).optional(),
    ...issuerLineagesSchema.shape,
    renewalSchedule: z
      .object({
        /** An EventBridge Scheduler expression, e.g. `cron(0 0,12 * * ? *)`. */
        expression: z.string().min(1).optional(),
        /** IANA time zone of the expression. @default 'Etc/UTC' */
        timeZone: z.string().min(1).optional(),
        flexibleWindowMinutes: z.number().int().min(1).max(1440).optional(),
        enabled: z.boolean().optional(),
      })
      .strict()
      .optional(),
    sweepConcurrency: z.number().int().min(1).max(10_000).optional(),
    notifications: z
      .object({
        emails: z.array(z.string().email()).optional(),
        /** `WebhookNotificationProps`, the secret by name or ARN. */
        webhooks: z
          .array(
            z
              .object({
                kind: z.enum(['slack', 'teams', 'webhook']),
                webhookSecret: z.string().min(1),
                secretField: z.string().min(1).optional(),
                url: z.string().url().optional(),
                channel: z.string().min(1).optional(),
                header: z.string().min(1).optional(),
                events: z.array(z.enum(eventTypes)).min(1).optional(),
                lineages: lineageList,
              })
              .strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
    deployHooks: z
      .object({
        acmImport: z.object({ lineages: lineageList, region: z.string().min(1).optional() }).strict().optional(),
        ssm: z
          .array(
            z
              .object({
                lineages: lineageList,
                targetTagKey: z.string().min(1),
                targetTagValues: z.array(z.string().min(1)).min(1).max(50),
                reloadCommand: z.string().min(1).optional(),
                configDir: z.string().min(1).optional(),
                reconcile: z.boolean().optional(),
                /** A State Manager schedule: `rate(1 hour)`, `rate(30 minutes)` or a `cron(...)` expression. */
                reconcileSchedule: z.string().regex(/^(rate|cron)\(.+\)$/, 'rate(...) or cron(...)').optional(),
              })
              .strict(),
          )
          .optional(),
        sns: z.boolean().optional(),
      })
      .strict()
      .optional(),
    retention: z
      .object({
        logRetentionDays: z.number().int().optional(),
        noncurrentVersionDays: z.number().int().min(1).optional(),
        sweepObjectsDays: z.number().int().min(1).optional(),
        removalPolicy: z.enum(['retain', 'destroy']).optional(),
      })
      .strict()
      .optional(),
    secretPrefix: z.string().regex(/^[A-Za-z0-9/_+=.@-]+\/$/, 'letters, digits and /_+=.@-, ending with "/"').optional(),
    expiryAlarmDays: z.number().int().min(1).max(90).optional(),
    dashboard: z.union([z.boolean(), z.object({ dashboardName: z.string().min(1).optional() }).strict()]).optional(),
    bundling: z.enum(['shared', 'per-function']).optional(),
    tracing: z.boolean().optional(),
  })
  .strict();

export type IssuerConfig = z.infer<typeof issuerConfigSchema>;

function retentionDays(days: number): RetentionDays {
  const known = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!known.includes(days)) throw new ConfigError(`retention.logRetentionDays: CloudWatch Logs keeps ${known.join(', ')} days, not ${days}.`, { field: 'retention.logRetentionDays' });
  return days as RetentionDays;
}

/**
 * Parses a config object into the stack name and the construct's props.
 *
 * @example
 * ```ts
 * const { stackName, props } = issuerPropsFromConfig(JSON.parse(readFileSync('infra/config/example.json', 'utf8')));
 * new AcmeIssuer(new Stack(app, stackName), 'Issuer', props);
 * ```
 */
export function issuerPropsFromConfig(input: unknown): { stackName: string; props: AcmeIssuerProps } {
  const parsed = issuerConfigSchema.safeParse(input);
  if (!parsed.success) throw configErrorFrom(parsed.error, 'config');
  const c = parsed.data;
  const schedule = c.renewalSchedule;
  const retention = c.retention;
  const props: AcmeIssuerProps = {
    caAccounts: c.caAccounts,
    dnsProviders: c.dnsProviders,
    certificates: c.certificates,
    ...(schedule
      ? {
          renewalSchedule: {
            ...(schedule.expression ? { expression: ScheduleExpression.expression(schedule.expression, schedule.timeZone ? TimeZone.of(schedule.timeZone) : TimeZone.ETC_UTC) } : {}),
            ...(schedule.flexibleWindowMinutes ? { flexibleWindow: Duration.minutes(schedule.flexibleWindowMinutes) } : {}),
            ...(schedule.enabled === undefined ? {} : { enabled: schedule.enabled }),
          },
        }
      : {}),
    ...(c.sweepConcurrency === undefined ? {} : { sweepConcurrency: c.sweepConcurrency }),
    ...(c.notifications
      ? {
          notifications: {
            ...(c.notifications.emails ? { emails: c.notifications.emails } : {}),
            ...(c.notifications.webhooks ? { webhooks: c.notifications.webhooks } : {}),
          },
        }
      : {}),
    ...(c.deployHooks ? { deployHooks: c.deployHooks } : {}),
    ...(retention
      ? {
          retention: {
            ...(retention.logRetentionDays === undefined ? {} : { logRetention: retentionDays(retention.logRetentionDays) }),
            ...(retention.noncurrentVersionDays === undefined ? {} : { noncurrentVersionExpiration: Duration.days(retention.noncurrentVersionDays) }),
            ...(retention.sweepObjectsDays === undefined ? {} : { sweepObjectsExpiration: Duration.days(retention.sweepObjectsDays) }),
            ...(retention.removalPolicy === undefined ? {} : { removalPolicy: retention.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN }),
          },
        }
      : {}),
    ...(c.secretPrefix === undefined ? {} : { secretPrefix: c.secretPrefix }),
    ...(c.keyStore === undefined ? {} : { keyStore: c.keyStore }),
    ...(c.expiryAlarmDays === undefined ? {} : { expiryAlarmDays: c.expiryAlarmDays }),
    ...(c.dashboard === undefined ? {} : { dashboard: c.dashboard }),
    ...(c.bundling === undefined ? {} : { bundling: c.bundling }),
    ...(c.tracing === undefined ? {} : { tracing: c.tracing }),
  };
  return { stackName: c.stackName ?? 'Acmeflow', props };
}

/** Reads and parses a config file (JSON). */
export function loadIssuerConfig(file: string): { stackName: string; props: AcmeIssuerProps } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the acmeflow config (${(error as Error).message}).`, { cause: error });
  }
  try {
    return issuerPropsFromConfig(json);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${file}: ${error.message}`, { ...(error.field ? { field: error.field } : {}), cause: error });
    throw error;
  }
}
