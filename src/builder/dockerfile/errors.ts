// The error parseDockerfile throws: InvalidParameter with Docker 20.10's text, plus the line it concerns.
import { InvalidParameter } from '../../errdefs/index.js';

export class DockerfileParseError extends InvalidParameter {
  /** 1-based first line of the offending instruction (or the line the scanner stopped at). */
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

/** The message of any thrown value. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
