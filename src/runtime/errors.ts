// The error a failed init-plan step becomes: which step, which errno, and the exit code Docker gives it.
import { InvalidParameter, NotFound, System } from '../errdefs/index.js';
import { describeOp, errnoName } from './plan/describe.js';
import type { PlanOp } from './plan/ops.js';

const ENOENT = 2;

export class InitStepError extends System {
  override name = 'InitStepError';
  constructor(
    message: string,
    readonly op: PlanOp | undefined,
    readonly errno: number,
  ) {
    super(message);
  }

  /** 127 for a missing executable, 126 for one that cannot be executed (Docker's codes); undefined otherwise. */
  get execExitCode(): number | undefined {
    if (this.op?.op !== 'exec') return undefined;
    return this.errno === ENOENT ? 127 : 126;
  }
}

/** Parses `error <step> <errno> <message>` from the helper into an InitStepError naming the step. */
export function stepError(line: string, plan: readonly PlanOp[]): InitStepError {
  const m = /^error (-?\d+) (\d+) ?(.*)$/.exec(line.trim());
  if (!m) return new InitStepError(`berth-helper: unexpected reply "${line.trim()}"`, undefined, 0);
  const step = Number(m[1]);
  const errno = Number(m[2]);
  const detail = m[3] ?? '';
  const op = step >= 0 ? plan[step] : undefined;
  if (op?.op === 'exec') return new InitStepError(detail, op, errno);
  const what = step >= 0 ? describeOp(op) : 'berth-helper';
  const code = errno ? `: ${errnoName(errno)}` : '';
  return new InitStepError(`${what}${code}${detail ? ` (${detail})` : ''}`, op, errno);
}

export function noSuchContainer(id: string): NotFound {
  return new NotFound(`container "${id}" does not exist`);
}

export function invalidId(id: string): InvalidParameter {
  return new InvalidParameter(`invalid container id format "${id}"`);
}
