// berth's CLI: the docker CLI's global options, command lookup (with `container`/`image`/`system` management
// aliases), help, flag parsing, dispatch to the one command module needed (loaded on demand, to start fast) and
// the docker CLI's error reporting and exit statuses.
import {
  checkArgs,
  type CommandSpec,
  commandHelp,
  FlagError,
  findCommand,
  flagErrorText,
  parseFlags,
  parseGlobalOptions,
  ROOT_USAGE,
  renderHelp,
  UsageError,
  withHelpText,
} from './args/index.js';
import type { Client, TransportOptions } from '../client/index.js';
import { type Cli, type Command, type ConfigFile, readConfigFile, StatusError, type Streams } from './commands/cli.js';
import { CLIENT_VERSION } from './commands/client-version.js';
import { errorText } from './commands/errors.js';
import { MANAGEMENT, managementHelp, rootHelp } from './commands/help.js';

type Loader = () => Promise<{ default: Command }>;

// Keyed by the command's path without its management word ("container ls" → "ls"); image/system ones keep theirs.
const LOADERS: Record<string, Loader> = {
  run: () => import('./commands/run.js'),
  create: () => import('./commands/create.js'),
  start: () => import('./commands/start.js'),
  stop: () => import('./commands/stop.js'),
  restart: () => import('./commands/restart.js'),
  kill: () => import('./commands/kill.js'),
  rm: () => import('./commands/rm.js'),
  ps: () => import('./commands/ps.js'),
  ls: () => import('./commands/ps.js'),
  logs: () => import('./commands/logs.js'),
  exec: () => import('./commands/exec.js'),
  attach: () => import('./commands/attach.js'),
  wait: () => import('./commands/wait.js'),
  pause: () => import('./commands/pause.js'),
  unpause: () => import('./commands/unpause.js'),
  rename: () => import('./commands/rename.js'),
  top: () => import('./commands/top.js'),
  port: () => import('./commands/port.js'),
  update: () => import('./commands/update.js'),
  inspect: () => import('./commands/inspect.js'),
  'container inspect': () => import('./commands/inspect.js'),
  'image inspect': () => import('./commands/inspect.js'),
  diff: () => import('./commands/diff.js'),
  cp: () => import('./commands/cp.js'),
  commit: () => import('./commands/commit.js'),
  export: () => import('./commands/export.js'),
  stats: () => import('./commands/stats.js'),
  prune: () => import('./commands/prune.js'),
  'image prune': () => import('./commands/prune.js'),
  'system prune': () => import('./commands/prune.js'),
  images: () => import('./commands/images.js'),
  'image ls': () => import('./commands/images.js'),
  rmi: () => import('./commands/rmi.js'),
  'image rm': () => import('./commands/rmi.js'),
  import: () => import('./commands/import.js'),
  'image import': () => import('./commands/import.js'),
  save: () => import('./commands/save.js'),
  'image save': () => import('./commands/save.js'),
  load: () => import('./commands/load.js'),
  'image load': () => import('./commands/load.js'),
  tag: () => import('./commands/tag.js'),
  'image tag': () => import('./commands/tag.js'),
  history: () => import('./commands/history.js'),
  'image history': () => import('./commands/history.js'),
  pull: () => import('./commands/pull.js'),
  'image pull': () => import('./commands/pull.js'),
  push: () => import('./commands/push.js'),
  build: () => import('./commands/build.js'),
  'image build': () => import('./commands/build.js'),
  'builder build': () => import('./commands/build.js'),
  'builder prune': () => import('./commands/builder-prune.js'),
  'image push': () => import('./commands/push.js'),
  login: () => import('./commands/login.js'),
  logout: () => import('./commands/logout.js'),
  search: () => import('./commands/search.js'),
  version: () => import('./commands/version.js'),
  info: () => import('./commands/info.js'),
  'system info': () => import('./commands/info.js'),
  events: () => import('./commands/events.js'),
  'system events': () => import('./commands/events.js'),
  'system df': () => import('./commands/df.js'),
  'network create': () => import('./commands/network-create.js'),
  'network ls': () => import('./commands/network-ls.js'),
  'network inspect': () => import('./commands/network-inspect.js'),
  'network rm': () => import('./commands/network-rm.js'),
  'network prune': () => import('./commands/network-prune.js'),
  'network connect': () => import('./commands/network-connect.js'),
  'network disconnect': () => import('./commands/network-connect.js'),
  'volume create': () => import('./commands/volume-create.js'),
  'volume ls': () => import('./commands/volume-ls.js'),
  'volume inspect': () => import('./commands/volume-inspect.js'),
  'volume rm': () => import('./commands/volume-rm.js'),
  'volume prune': () => import('./commands/volume-prune.js'),
  'volume update': () => import('./commands/volume-update.js'),
};

function loaderFor(spec: CommandSpec): Loader | undefined {
  return LOADERS[spec.path] ?? LOADERS[spec.path.replace(/^container /, '')];
}

export interface MainOptions {
  streams: Streams;
  env: NodeJS.ProcessEnv;
  /** Makes the daemon client from the global options' overrides (host, TLS). */
  newClient: (overrides: TransportOptions) => Client;
  /** The binary's name in help and errors (default "berth"). */
  bin?: string;
}

/** Runs one command line (without the binary's name) and resolves with the exit status. */
export async function main(argv: readonly string[], opts: MainOptions): Promise<number> {
  const { streams, env } = opts;
  const bin = opts.bin ?? 'berth';
  const out = (text: string) => {
    streams.stdout.write(text);
  };
  const err = (text: string) => {
    streams.stderr.write(text);
  };

  let global: ReturnType<typeof parseGlobalOptions>;
  try {
    global = parseGlobalOptions(argv, env);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    err(`${flagErrorText(bin, ROOT_USAGE, e.message)}\n`);
    return 125;
  }
  for (const w of global.warnings) out(`${w}\n`);
  const g = global.options;
  if (g.version) {
    out(`berth version ${CLIENT_VERSION}, build berth\n`);
    return 0;
  }
  let words = global.rest;
  if (words[0] === 'help') words = [...words.slice(1), '--help'];
  if (words.length === 0 || (words.length === 1 && words[0] === '--help')) {
    (g.help || words.length > 0 ? out : err)(rootHelp(bin, env));
    return 0;
  }
  if (MANAGEMENT[words[0]!] !== undefined && (words.length === 1 || words[1]!.startsWith('-'))) {
    const help = managementHelp(bin, words[0]!);
    if (words.length === 1) err(help);
    else out(help);
    return 0;
  }
  const found = findCommand(words);
  if (!found || !loaderFor(found.spec)) {
    const group = MANAGEMENT[words[0]!] !== undefined ? `${bin} ${words[0]}` : bin;
    const unknown = MANAGEMENT[words[0]!] !== undefined ? words.slice(0, 2).join(' ') : words[0];
    const usage = group === bin ? '' : `\n\nUsage:  ${group}`;
    err(`${bin}: unknown command: ${bin} ${unknown}${usage}\n\nRun '${group} --help' for more information\n`);
    return 1;
  }
  const { spec, rest } = found;
  const path = `${bin} ${spec.path}`;

  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(spec.flags, rest, { interspersed: spec.interspersed ?? true });
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    err(`${flagErrorText(path, spec.usage, e.message)}\n`);
    return 125;
  }
  for (const w of parsed.warnings) out(`${w}\n`);
  if (parsed.help) {
    out(renderHelp(commandHelp(spec, bin), streams.stdout.columns || 80));
    return 0;
  }
  const argsError = checkArgs(spec.args, path, spec.usage, parsed.args);
  if (argsError) {
    err(`${argsError}\n`);
    return 1;
  }
  if (g.hosts.length > 1) {
    err('Specify only one -H\n');
    return 1;
  }

  let client: Client | undefined;
  let config: ConfigFile | undefined;
  const cli: Cli = {
    // stdin is made on first use: creating it has effects (a TTY or pipe handle) a command may not want.
    get stdin() {
      return streams.stdin;
    },
    stdout: streams.stdout,
    stderr: streams.stderr,
    bin,
    env,
    path,
    spec,
    client() {
      if (!client) {
        const tls =
          g.tls || g.tlsVerify ? { verify: g.tlsVerify, ca: g.tlsCACert, cert: g.tlsCert, key: g.tlsKey } : undefined;
        client = opts.newClient({
          host: g.hosts[0],
          ...(tls ? { tls } : {}),
          userAgent: `berth-cli/${CLIENT_VERSION}`,
        });
      }
      return client;
    },
    config: () => {
      config ??= readConfigFile(g.config);
      return config;
    },
    configDir: g.config,
    out,
    err,
  };

  try {
    const command = (await loaderFor(spec)!()).default;
    return (await command(cli, parsed)) ?? 0;
  } catch (e) {
    return report(cli, e);
  } finally {
    client?.close();
  }
}

/** Prints an error as the docker CLI does and returns its exit status. */
function report(cli: Cli, e: unknown): number {
  // A reader that went away (`berth save x | head`): Go's CLI dies of SIGPIPE, silently.
  if ((e as NodeJS.ErrnoException).code === 'EPIPE') return 141;
  if (e instanceof StatusError) {
    if (e.message !== '') cli.err(`${e.message}\n`);
    return e.status === 0 ? 1 : e.status;
  }
  if (e instanceof FlagError) {
    cli.err(`${flagErrorText(cli.path, cli.spec.usage, e.message)}\n`);
    return 125;
  }
  if (e instanceof UsageError) {
    cli.err(`${withHelpText(cli.path, e.message)}\n`);
    return 125;
  }
  const text = errorText(e);
  if (text !== '') cli.err(`${text}\n`);
  return 1;
}
