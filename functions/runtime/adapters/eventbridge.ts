import { EventBridgePublisher } from '../../../shared/events/eventbridge/eventbridge-publisher.js';
import type { AdapterBuilder } from './adapter.js';

/** `events`: the acmeflow events on ACMEFLOW_EVENT_BUS (the default bus when unset); the publisher retries per entry, the SDK does not. */
export const eventBridgeEvents: AdapterBuilder = {
  adapter: 'events',
  build: (ctx) => ({
    events: new EventBridgePublisher(ctx.aws.eventBusName ? { eventBusName: ctx.aws.eventBusName } : {}, {
      clientConfig: { region: ctx.aws.region, maxAttempts: 1, ...ctx.clientConfig.eventBridge },
    }),
  }),
};
