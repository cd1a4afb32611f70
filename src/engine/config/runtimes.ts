// The daemon's `runtimes` setting (dockerd's `--add-runtime name=path`, daemon.json `"runtimes"`,
// `default-runtime`). berth's own runtime is registered as `berth` and is the default; `runc` (Docker's default name)
// is not implicitly berth's: it is whatever command the user configures under that name.
import { InvalidParameter } from '../../errdefs/index.js';

export const BUILTIN_RUNTIME = 'berth';

export interface RuntimeCommand {
  path: string;
  runtimeArgs: string[];
}

export interface RuntimesConfig {
  /** The configured commands by name (berth's own is not among them). */
  commands: Record<string, RuntimeCommand>;
  defaultRuntime: string;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function checkName(name: string): void {
  if (name === BUILTIN_RUNTIME) throw new InvalidParameter(`runtime name '${BUILTIN_RUNTIME}' is reserved`);
  if (!NAME.test(name)) throw new InvalidParameter(`invalid runtime name: ${name}`);
}

/** `--add-runtime` values (`name=path`, repeatable), daemon.json's `runtimes` object and `default-runtime`. */
export function parseRuntimes(
  flags: readonly string[],
  file: unknown,
  defaultRuntime: string | undefined,
): RuntimesConfig {
  const commands: Record<string, RuntimeCommand> = {};
  for (const kv of flags) {
    const eq = kv.indexOf('=');
    if (eq < 1 || eq === kv.length - 1) throw new InvalidParameter(`invalid runtime argument: ${kv}`);
    const name = kv.slice(0, eq);
    checkName(name);
    commands[name] = { path: kv.slice(eq + 1), runtimeArgs: [] };
  }
  if (file !== undefined) {
    if (file === null || typeof file !== 'object' || Array.isArray(file)) {
      throw new InvalidParameter('invalid daemon.json: "runtimes" must be an object');
    }
    for (const [name, value] of Object.entries(file)) {
      checkName(name);
      const v = value as { path?: unknown; runtimeArgs?: unknown };
      if (typeof v?.path !== 'string' || v.path === '') {
        throw new InvalidParameter(`invalid daemon.json: runtime ${name} needs a "path"`);
      }
      const args = v.runtimeArgs ?? [];
      if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
        throw new InvalidParameter(`invalid daemon.json: runtime ${name}: "runtimeArgs" must be a list of strings`);
      }
      commands[name] = { path: v.path, runtimeArgs: args };
    }
  }
  const chosen = defaultRuntime || BUILTIN_RUNTIME;
  if (chosen !== BUILTIN_RUNTIME && !commands[chosen]) {
    throw new InvalidParameter(`specified default runtime '${chosen}' does not exist`);
  }
  return { commands, defaultRuntime: chosen };
}
