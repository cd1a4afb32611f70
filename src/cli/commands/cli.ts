// What every command gets: its streams, environment, the daemon client (made on first use), the client config file,
// and the error type that carries an exit status, as the docker CLI's command.Cli and cli.StatusError.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandSpec, ParsedFlags } from '../args/index.js';
import type { Client } from '../../client/index.js';

/** The process's standard streams, as a command sees them. */
export interface Streams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** The parts of ~/.docker/config.json the CLI reads. */
export interface ConfigFile {
  detachKeys?: string;
  psFormat?: string;
  imagesFormat?: string;
  statsFormat?: string;
}

export interface Cli extends Streams {
  /** The binary's name as help and errors print it ("berth"). */
  bin: string;
  env: NodeJS.ProcessEnv;
  /** The command's path as invoked, binary first: "berth container ls". */
  path: string;
  spec: CommandSpec;
  /** The daemon client, created on first use. */
  client(): Client;
  config(): ConfigFile;
  /** The client config directory (--config, DOCKER_CONFIG, ~/.docker): where config.json and its credentials live. */
  configDir: string;
  /** Writes text to stdout (what the docker CLI's Out() gets). */
  out(text: string): void;
  /** Writes text to stderr. */
  err(text: string): void;
}

/** A command's body: the parsed flags in, an exit status (default 0) out; errors are reported by main. */
export type Command = (cli: Cli, flags: ParsedFlags) => Promise<number | undefined>;

/**
 * cli.StatusError: exit with `status`, printing `message` on stderr when it is not empty (a container's exit status
 * is passed on silently).
 */
export class StatusError extends Error {
  override name = 'StatusError';
  constructor(
    readonly status: number,
    message = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reads the client config file of `dir` (docker's --config / DOCKER_CONFIG); missing or malformed reads as empty. */
export function readConfigFile(dir: string): ConfigFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const o = parsed as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    return {
      detachKeys: str('detachKeys'),
      psFormat: str('psFormat'),
      imagesFormat: str('imagesFormat'),
      statsFormat: str('statsFormat'),
    };
  } catch {
    return {};
  }
}
