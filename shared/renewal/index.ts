export * from './already-replaced.js';
export * from './decide-renewal.js';
export * from './dry-run-directory.js';
export * from './failure-backoff.js';
export * from './renewal-policy.js';
export * from './replaces-for.js';
export * from './sweep-schedule.js';
