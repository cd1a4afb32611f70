// Wakes a log follower when its directory changes: fs.watch where it works, and a short poll always, since inotify
// can be missing or exhausted and a watch can miss a rename. Holds no timer or watcher once closed.
import { type FSWatcher, watch } from 'node:fs';

export class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private pending = false;
  private closed = false;

  constructor(
    dir: string,
    private readonly pollMs: number,
  ) {
    try {
      // persistent: false, so a forgotten watch never holds the process open.
      this.watcher = watch(dir, { persistent: false }, () => this.notify());
      this.watcher.on('error', () => this.closeWatcher()); // e.g. the directory went away: polling carries on
    } catch {
      this.watcher = undefined; // no inotify (ENOSPC, unsupported fs, missing dir): polling only
    }
  }

  /** Something may have changed (a watch event, done, abort): wakes the waiter, or the next wait returns at once. */
  notify(): void {
    const wake = this.wake;
    if (wake) wake();
    else this.pending = true;
  }

  /** Resolves on the next notification, or after the poll interval at the latest. */
  wait(): Promise<void> {
    if (this.pending || this.closed) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      };
      this.timer = setTimeout(this.wake, this.pollMs);
    });
  }

  close(): void {
    this.closed = true;
    this.closeWatcher();
    this.wake?.();
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
