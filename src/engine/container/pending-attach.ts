// Attaches that arrive before their container runs (`docker run` attaches, then starts): held here and joined to the
// container's shim between the runtime's create and start, so no output is lost.
import type { Duplex } from 'node:stream';
import { type AttachOptions, pipeAttach } from './attach.js';
import { addTo } from './waiters.js';

interface PendingAttach {
  client: Duplex;
  opts: AttachOptions;
  done: (r: { detached: boolean }) => void;
}

export class PendingAttachments {
  private readonly pending = new Map<string, Set<PendingAttach>>();

  /** Holds `client` until `connect(id)`; resolves when the attach ends (or the client leaves first). */
  hold(id: string, client: Duplex, opts: AttachOptions): Promise<{ detached: boolean }> {
    return new Promise((resolve) => {
      const p: PendingAttach = { client, opts, done: resolve };
      addTo(this.pending, id, p);
      client.once('close', () => {
        if (this.pending.get(id)?.delete(p)) resolve({ detached: false });
      });
    });
  }

  /** Joins the held attaches to the container's attach stream (`attach` opens one per client). */
  async connect(id: string, attach: () => Promise<Duplex>): Promise<void> {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    for (const p of pending ?? []) {
      let shim: Duplex;
      try {
        shim = await attach();
      } catch {
        p.client.end();
        p.done({ detached: false });
        continue;
      }
      pipeAttach(shim, p.client, p.opts).then(p.done);
    }
  }

  /** Ends the held attaches: the start failed, or the container is gone. */
  fail(id: string): void {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    for (const p of pending ?? []) {
      p.client.end();
      p.done({ detached: false });
    }
  }
}
