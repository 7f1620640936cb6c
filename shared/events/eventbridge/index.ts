export { checkEvent } from './check-event.js';
export { EventContainsSecretError, EventTooLargeError, InvalidEventError, type EventIssue, type SecretKind } from './errors.js';
export { EventBridgePublisher, type EventBridgePublisherDeps, type EventBridgePublisherOptions } from './eventbridge-publisher.js';
export { batchEntries, PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES, putEventsEntrySize } from './put-events-limits.js';
export { assertNoSecrets, findSecret, isSecretFieldName, type SecretFinding } from './secret-guard.js';
