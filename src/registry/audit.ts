// The audit trail: one JSON line per push, pull and delete, naming the user (Harbor's "logs" page as text).
import { appendFile } from 'node:fs/promises';

export type AuditOperation = 'push' | 'pull' | 'delete';

export interface AuditEvent {
  operation: AuditOperation;
  repository: string;
  reference: string;
  digest?: string;
  /** The authenticated user; "anonymous" when none. */
  user: string;
  remote?: string;
}

export class Audit {
  constructor(private readonly sink: { path?: string | undefined; log: (line: string) => void }) {}

  record(event: AuditEvent): void {
    const line = `audit ${JSON.stringify({ time: new Date().toISOString(), ...event })}`;
    const path = this.sink.path;
    if (path === undefined) {
      this.sink.log(line);
      return;
    }
    // Appends are ordered by the thread pool per call; an audit line failing to land is logged, never fatal.
    appendFile(path, `${line}\n`).catch((e: unknown) => this.sink.log(`audit log ${path}: ${(e as Error).message}`));
  }
}
