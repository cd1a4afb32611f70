// Runs a network plan: one `berth-helper net` process, the encoded plan on its stdin, one answer line on its stdout
// (`ok`, or `error <step> <errno> <message>`: docs/helper-protocol.md, "Network plans"); or the same through a
// running `berth-helper forkserver`, which forks the executor instead of Node spawning (and exec'ing) it.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { constants } from 'node:os';
import { System } from '../../errdefs/index.js';
import { encodeNetPlan } from './encode.js';
import type { NetOp } from './ops.js';

const errnoNames = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/**
 * A network plan failed at `step` (0-based; -1 when the plan as a whole was refused). `errno` is the kernel's (0 when
 * the failure is not an errno, e.g. an EXEC's non-zero exit) and `code` its name, e.g. EEXIST for a veth name in use.
 * The ops before `step` took effect: undoing them is the caller's decision.
 */
export class NetPlanError extends System {
  override name = 'NetPlanError';
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly step: number,
    readonly op: NetOp | undefined,
    readonly errno: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = errnoNames.get(errno);
  }
}

export const isNetPlanError = (e: unknown): e is NetPlanError => e instanceof NetPlanError;

export interface RunNetPlanOptions {
  /** Kill the helper and fail after this long (default 30 s; an EXEC'd tool could hang). */
  timeoutMs?: number;
}

/** Parses the helper's answer line; undefined for `ok`. */
export function parseNetPlanReply(line: string, ops: readonly NetOp[]): NetPlanError | undefined {
  if (line === 'ok') return undefined;
  const m = /^error (-?\d+) (\d+) (.*)$/.exec(line);
  if (!m)
    return new NetPlanError(
      `network plan: unexpected answer from berth-helper: ${JSON.stringify(line)}`,
      -1,
      undefined,
      0,
    );
  const step = Number(m[1]);
  return new NetPlanError(m[3] ?? '', step, ops[step], Number(m[2]));
}

/** Runs `ops` in order in one helper process; rejects with a NetPlanError naming the first failing step. */
export function runNetPlan(helperPath: string, ops: readonly NetOp[], options: RunNetPlanOptions = {}): Promise<void> {
  const plan = encodeNetPlan(ops);
  return new Promise((resolve, reject) => {
    const child = spawn(helperPath, ['net'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 30_000 });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    // EPIPE when the helper dies before reading the plan: the exit below tells why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(plan);
    child.on('error', (e) => reject(new System(`network plan: running ${helperPath}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => {
      const line = out.split('\n')[0] ?? '';
      if (line === '' || (code !== 0 && line === 'ok')) {
        const why = signal ? `killed by ${signal}` : `exit status ${code}`;
        return reject(
          new NetPlanError(`network plan: berth-helper ${why}${err ? `: ${err.trim()}` : ''}`, -1, undefined, 0),
        );
      }
      const failure = parseNetPlanReply(line, ops);
      if (failure) reject(failure);
      else resolve();
    });
  });
}

/**
 * Runs `ops` through the forkserver listening on `forkserverSocket`: the plan is written to a new connection, which
 * the forkserver hands to a forked executor, and the answer line comes back on it. No process is spawned by Node.
 */
export function runNetPlanVia(
  forkserverSocket: string,
  ops: readonly NetOp[],
  options: RunNetPlanOptions = {},
): Promise<void> {
  // The forkserver tells a network plan from an init plan by its first opcode: an empty plan has none.
  if (ops.length === 0) return Promise.resolve();
  const plan = encodeNetPlan(ops);
  return new Promise((resolve, reject) => {
    const sock = connect(forkserverSocket);
    let out = '';
    const timer = setTimeout(() => sock.destroy(new Error('timed out')), options.timeoutMs ?? 30_000);
    sock.setEncoding('utf8').on('data', (d: string) => (out += d));
    sock.on('connect', () => sock.write(plan));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(new System(`network plan: forkserver ${forkserverSocket}: ${e.message}`, { cause: e }));
    });
    sock.on('close', (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      const line = out.split('\n')[0] ?? '';
      if (line === '')
        return reject(new NetPlanError('network plan: the forkserver closed without an answer', -1, undefined, 0));
      const failure = parseNetPlanReply(line, ops);
      if (failure) reject(failure);
      else resolve();
    });
  });
}
