// Signal names and numbers as runc's `kill` accepts them: "KILL", "SIGKILL", "9".
import { constants } from 'node:os';
import { InvalidParameter } from '../errdefs/index.js';

const bySignal = constants.signals as Record<string, number>;

export function parseSignal(s: string | number): number {
  if (typeof s === 'number') return s;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n > 0 && n <= 64) return n;
  } else {
    const upper = s.toUpperCase();
    const n = bySignal[upper.startsWith('SIG') ? upper : `SIG${upper}`];
    if (n !== undefined) return n;
  }
  throw new InvalidParameter(`invalid signal "${s}"`);
}
