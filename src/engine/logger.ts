// The daemon's log lines, in dockerd's logfmt shape: time="…" level=info msg="…".
import type { Logger } from './container/deps.js';

const ORDER = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 } as const;
export type Level = keyof typeof ORDER;

export function createLogger(level: Level, out: NodeJS.WritableStream = process.stderr): Logger {
  const write = (l: Level, msg: string) => {
    if (ORDER[l] < ORDER[level]) return;
    out.write(`time="${new Date().toISOString()}" level=${l === 'warn' ? 'warning' : l} msg=${JSON.stringify(msg)}\n`);
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
