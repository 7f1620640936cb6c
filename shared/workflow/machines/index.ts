export * from './issuance.js';
export * from './lambda-resources.js';
export * from './retry.js';
export * from './revocation.js';
export * from './sweep.js';
export * from './metrics.js';
export * from './step-access.js';
