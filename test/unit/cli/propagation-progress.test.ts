import { describe, expect, it } from 'vitest';
import { Output } from '../../../cli/output.js';
import { propagationProgress } from '../../../cli/propagation-progress.js';

function output(isTTY: boolean, verbose = false) {
  const lines = { out: '', err: '' };
  const out = new Output({ write: (s: string) => (lines.out += s), isTTY }, { write: (s: string) => (lines.err += s) }, {}, verbose);
  return { out, lines };
}

const MSG = 'Waiting for DNS: _acme-challenge.a.test on 192.0.2.1:53';

describe('propagationProgress', () => {
  it('on a terminal: each round from the fifth second, naming what is missing where', () => {
    const { out, lines } = output(true);
    const progress = propagationProgress(out, { json: false });
    for (const elapsedSeconds of [1, 3, 7, 15]) progress(MSG, { elapsedSeconds, timeoutSeconds: 900 });
    expect(lines.out).toBe(`  ${MSG} (7 s of 900 s; --dns-propagation-timeout)\n  ${MSG} (15 s of 900 s; --dns-propagation-timeout)\n`);
  });

  it('without a terminal: a line per minute, from the first minute on', () => {
    const { out, lines } = output(false);
    const progress = propagationProgress(out, { json: false });
    for (const elapsedSeconds of [1, 30, 59, 61, 92, 120, 121, 185]) progress(MSG, { elapsedSeconds, timeoutSeconds: 900 });
    expect(lines.out.split('\n').filter(Boolean)).toEqual([
      `  ${MSG} (61 s of 900 s; --dns-propagation-timeout)`,
      `  ${MSG} (121 s of 900 s; --dns-propagation-timeout)`,
      `  ${MSG} (185 s of 900 s; --dns-propagation-timeout)`,
    ]);
  });

  it('with --json: stdout stays one document; the lines follow -v on stderr', () => {
    const { out, lines } = output(true, true);
    propagationProgress(out, { json: true })(MSG, { elapsedSeconds: 70, timeoutSeconds: 900 });
    expect(lines.out).toBe('');
    expect(lines.err).toContain(MSG);
  });
});
