export * from './errors.js';
export * from './read-capped.js';
export * from './transport.js';
