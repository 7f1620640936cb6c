export * from './acme-dns/index.js';
export * from './cloudflare/index.js';
export * from './manifest.js';
export * from './manual/index.js';
export * from './registry.js';
export * from './rfc2136/index.js';
export * from './route53/index.js';
