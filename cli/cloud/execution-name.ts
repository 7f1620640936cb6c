/** Step Functions execution names: at most 80 characters, no spaces or `<>{}[]?*"#%\^|~\`$&,;:/`. */
const MAX_LENGTH = 80;

/**
 * A readable, unique-per-second execution name: `<verb>-<subject>-<UTC timestamp>`, the subject
 * shortened to fit 80 characters. The name is also the lineage lock's owner and the sweep's id.
 *
 * @example
 * ```ts
 * executionName('certonly', 'example.com', new Date('2026-03-04T05:06:07Z')); // 'certonly-example.com-20260304T050607Z'
 * executionName('renew', undefined, new Date('2026-03-04T05:06:07Z'));        // 'renew-20260304T050607Z'
 * ```
 */
export function executionName(verb: string, subject: string | undefined, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  if (subject === undefined) return `${verb}-${stamp}`;
  const room = MAX_LENGTH - verb.length - stamp.length - 2;
  const safe = subject.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, Math.max(room, 1));
  return `${verb}-${safe}-${stamp}`;
}
