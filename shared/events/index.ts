export * from './events.js';
// The checks every publisher applies, and the in-memory publisher: no AWS SDK behind them. The
// EventBridge and local-hooks adapters are imported from their own folders (as DNS providers are).
export * from './eventbridge/check-event.js';
export * from './eventbridge/errors.js';
export * from './eventbridge/secret-guard.js';
export * from './memory/index.js';
