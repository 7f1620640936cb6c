export * from './fetch-served-certificate.js';
export * from './served-status.js';
