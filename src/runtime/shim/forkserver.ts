// A daemon's source of shims: one long-lived `berth-helper forkserver` that forks a new shim per connection to its
// socket (the connection becomes the shim's fd 3). Node's spawn forks the whole daemon synchronously — its event loop
// stood still ~2-6 ms per container — while a connect is asynchronous and the fork happens in a 200 kB process.
import { type ChildProcess, spawn } from 'node:child_process';
import { statSync, unlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { System } from '../../errdefs/index.js';

const READY_TIMEOUT_MS = 5000;

export class ForkServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly socketPath: string,
    /** The socket's inode: close() removes the path only while it is still this forkserver's. */
    private readonly socketIno: number,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts the forkserver listening on `socketPath` (in a root-only directory; it is made 0600). */
  static async start(helperPath: string, socketPath: string): Promise<ForkServer> {
    // stdin stays open as a lifeline: its EOF (this process gone) ends the forkserver, not the shims it made.
    const child = spawn(helperPath, ['forkserver', socketPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new System('berth-helper forkserver did not start')), READY_TIMEOUT_MS);
        child.stdout?.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
        child.once('error', (e) => reject(new System(`cannot run ${helperPath}: ${e.message}`)));
        child.once('exit', () => reject(new System(`berth-helper forkserver exited: ${err.trim()}`)));
      });
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
    (child.stdin as Socket | null)?.unref();
    child.on('error', () => {});
    child.stdin?.on('error', () => {}); // EPIPE on close() once the forkserver is gone
    return new ForkServer(child, socketPath, statSync(socketPath).ino); // once, at daemon start
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * A connection to a new shim. `first` (its plan) is written at once: Node sends it as the connection completes,
   * not a turn of the event loop later (the shim waited ~1 ms for it in a busy daemon).
   */
  connect(first?: Uint8Array): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect(this.socketPath);
      if (first) s.write(first);
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  }

  /** Ends the forkserver (its stdin's EOF); the shims it made keep running. */
  close(): void {
    this.child.stdin?.end();
    // It unlinks its socket too, but a while later: the path must be gone when close returns (shutdown only).
    try {
      if (statSync(this.socketPath).ino === this.socketIno) unlinkSync(this.socketPath);
    } catch {}
  }
}
