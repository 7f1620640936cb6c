export * from './ca-presets.js';
export * from './domains.js';
export * from './duration.js';
export * from './errors.js';
export * from './lineage-spec.js';
export * from './preset-profile.js';
export * from './issuer-schema.js';
export * from './zod-issue.js';
