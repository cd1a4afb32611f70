// The runtime seam (docs/architecture.md): what the engine may ask of a container runtime. berth's own in-process
// runtime and a runc-compatible command under berth's shim both implement it; the engine never speaks a shim's wire
// protocol nor reads a runtime's state store.
import type { Duplex } from 'node:stream';
import type { CgroupStats } from './cgroups/index.js';
import type { LinuxResources, Process, Spec, State } from './spec.js';

export { FrameKind, frame, frameReader } from './frames.js';

/** How a container's process ended (the shim's exit file). */
export interface ExitStatus {
  pid: number;
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  exitedAt: string;
}

export interface ContainerCreateOptions {
  /** The bundle's config.json, when the caller has it in hand (it may still be being written to the bundle). */
  spec?: Spec;
  stdio?: {
    /** Keep the container's stdin open for attach clients. */
    openStdin?: boolean;
    /** Docker's json-file log, written by the shim. */
    log?: { path: string; maxSize: number; maxFiles: number };
  };
  /** Which configured runtime runs it (a name; a set of runtimes routes on it, a single runtime ignores it). */
  runtime?: string;
}

export interface CreatedContainer {
  /** The container's process, parked before its command until start. */
  record: { pid: number };
}

/** A process started by exec. Opaque to the engine but for its pid (known once it started). */
export interface ExecHandle {
  pid: number;
}

export interface ExecCreateOptions {
  stdio?: { openStdin?: boolean };
}

export interface ContainerRuntime {
  readonly cgroupVersion: 1 | 2;
  create(id: string, bundle: string, opts?: ContainerCreateOptions): Promise<CreatedContainer>;
  start(id: string): Promise<void>;
  state(id: string): Promise<State>;
  /** Every container this runtime has state for (running, stopped or half-made). */
  ids(): Promise<string[]>;
  list(): Promise<State[]>;
  kill(id: string, signal?: string | number, all?: boolean): Promise<void>;
  /** Resolves when the container's process has exited (undefined when its status is unknown). */
  wait(id: string): Promise<ExitStatus | undefined>;
  delete(id: string, force?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  update(id: string, resources: LinuxResources): Promise<void>;
  ps(id: string): Promise<number[]>;
  stats(id: string): Promise<CgroupStats>;
  /**
   * A paused stream to the container's stdio in Docker's 8-byte framing both ways (frames.ts): stdout/stderr frames
   * out; stdin, close-stdin and resize frames in. It ends when the container's output does.
   */
  attach(id: string): Promise<Duplex>;
  /** Sets the pty's size; a container without a pty is refused (Conflict). */
  resize(id: string, rows: number, cols: number): Promise<void>;
  closeStdin(id: string): Promise<void>;
  /** Prepares a process in a running container, held until startExec so an attach can be in place first. */
  exec(id: string, proc: Process, opts?: ExecCreateOptions): Promise<ExecHandle>;
  startExec(x: ExecHandle): Promise<void>;
  waitExec(x: ExecHandle): Promise<ExitStatus | undefined>;
  attachExec(x: ExecHandle): Promise<Duplex>;
  resizeExec(x: ExecHandle, rows: number, cols: number): Promise<void>;
  /** Removes what an exec left (its socket, exit file) once it is done. */
  cleanupExec(x: ExecHandle): Promise<void>;
  /** Lets go of what the runtime holds in this process; the containers run on. */
  close(): void;
}
