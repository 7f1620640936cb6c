export * from './fetch-served-certificate.js';
export * from './served-status.js';
export * from './probe-lineages.js';
