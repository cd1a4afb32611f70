// The intent journal of a container's run-time resources: before a step acquires something (a rootfs mount, its
// network sandbox, its volumes' holds, a bundle, the runtime's container), its name is written here; once released, it is struck out. A daemon that died
// half-way reads the journal at start and releases exactly what is still listed (docs/architecture.md, "lifecycle").
//
// It lives in the exec root, as the resources it lists do (they end with the machine; so does a tmpfs /run), and is
// written with direct syscalls: a small file there never waits on a device, and the write is on every start's path.
// No fsync: a daemon that is killed leaves its page cache behind; a machine that crashes takes the resources along.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicTmpfs } from '../../lib/atomic-file.js';

/** One kind of resource a running container holds; each has one acquire and one (idempotent) release. */
export type StepName = 'rootfs' | 'network' | 'volumes' | 'shm' | 'bundle' | 'runtime';

const STEP_NAMES: readonly StepName[] = ['rootfs', 'network', 'volumes', 'shm', 'bundle', 'runtime'];
const ID = /^[a-f0-9]{64}$/;

export class ResourceJournal {
  private readonly held = new Map<string, Set<StepName>>();

  private constructor(private readonly dir: string) {}

  /** Reads what the last run left (a file that cannot be read names every step: releasing is always safe). */
  static open(dir: string): ResourceJournal {
    const journal = new ResourceJournal(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      if (!ID.test(name)) {
        rmSync(join(dir, name), { force: true }); // a temp file of a write cut short
        continue;
      }
      let steps: StepName[] = [...STEP_NAMES];
      try {
        const listed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
        if (Array.isArray(listed)) steps = STEP_NAMES.filter((s) => listed.includes(s));
      } catch {}
      journal.held.set(name, new Set(steps));
    }
    return journal;
  }

  /** Records that `steps` are about to be acquired for `id`: written before any of them starts. */
  intend(id: string, steps: readonly StepName[]): void {
    const set = this.held.get(id) ?? new Set<StepName>();
    const before = set.size;
    for (const s of steps) set.add(s);
    if (set.size === before && this.held.has(id)) return;
    this.held.set(id, set);
    this.write(id, set);
  }

  /** Strikes out steps released; the container's entry goes with its last step. */
  released(id: string, steps: readonly StepName[]): void {
    const set = this.held.get(id);
    if (!set) return;
    for (const s of steps) set.delete(s);
    if (set.size === 0) {
      this.held.delete(id);
      rmSync(join(this.dir, id), { force: true });
    } else {
      this.write(id, set);
    }
  }

  /** The steps `id` may still hold (in acquisition order). */
  holding(id: string): StepName[] {
    const set = this.held.get(id);
    return set ? STEP_NAMES.filter((s) => set.has(s)) : [];
  }

  /** Every container with something listed. */
  ids(): string[] {
    return [...this.held.keys()];
  }

  private write(id: string, steps: Set<StepName>): void {
    writeFileAtomicTmpfs(join(this.dir, id), JSON.stringify(STEP_NAMES.filter((s) => steps.has(s))), 0o600);
  }
}
