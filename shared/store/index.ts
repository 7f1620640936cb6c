export * from './certificate-store.js';
export * from './errors.js';
export * from './key-store.js';
export * from './lineage-lock.js';
export * from './lineage.js';
export * from './sweep-store.js';
export * from './memory/memory-sweep-store.js';
export * from './lineage-routed-key-store.js';
