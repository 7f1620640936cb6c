export * from './config.js';
export * from './credentials.js';
export * from './errors.js';
export * from './manifest.js';
export * from './rfc2136.js';
export * from './tsig.js';
export * from './update-message.js';
