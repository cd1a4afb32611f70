// The exec endpoints: create in a container, start (a hijacked connection unless detached), resize, inspect.
import type { ExecCreateRequest, ExecInspect, ExecStartRequest } from '../api/exec.js';
import type { HijackedStream } from './hijack.js';
import { seg } from './path.js';
import type { Transport } from './transport.js';
import type { IdResponse } from './types.js';

export class Exec {
  constructor(private readonly t: Transport) {}

  create(containerId: string, body: ExecCreateRequest): Promise<IdResponse> {
    return this.t.json('POST', `/containers/${seg(containerId)}/exec`, { body });
  }

  /** Detached: returns once started. Otherwise a hijacked connection to the process's stdio. */
  start(execId: string, opts: ExecStartRequest & { Detach: true }): Promise<undefined>;
  start(execId: string, opts?: ExecStartRequest & { Detach?: false }): Promise<HijackedStream>;
  async start(execId: string, opts: ExecStartRequest = {}): Promise<HijackedStream | undefined> {
    const path = `/exec/${seg(execId)}/start`;
    const body: ExecStartRequest = { Detach: opts.Detach ?? false, Tty: opts.Tty ?? false };
    if (opts.ConsoleSize) body.ConsoleSize = opts.ConsoleSize;
    if (body.Detach) {
      await this.t.call('POST', path, { body });
      return undefined;
    }
    return this.t.hijack('POST', path, { body });
  }

  async resize(execId: string, size: { h: number; w: number }): Promise<void> {
    await this.t.call('POST', `/exec/${seg(execId)}/resize`, { query: { h: size.h, w: size.w } });
  }

  inspect(execId: string): Promise<ExecInspect> {
    return this.t.json('GET', `/exec/${seg(execId)}/json`);
  }
}
