export * from './sanitize-display-text.js';
