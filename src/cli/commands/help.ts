// The help of the root command and of the management commands (berth container, image, network, system,
// volume), in the docker CLI's
// layout: common commands, management commands, the rest, then the global options.
import { COMMANDS, globalOptionsHelp } from '../args/index.js';

const COMMON = ['run', 'exec', 'ps', 'pull', 'push', 'images', 'login', 'logout', 'search', 'version', 'info'];

export const MANAGEMENT: Readonly<Record<string, string>> = {
  container: 'Manage containers',
  image: 'Manage images',
  network: 'Manage networks',
  system: 'Manage Docker',
  volume: 'Manage volumes',
};

const line = (name: string, short: string) => `  ${name.padEnd(11)} ${short}\n`;

function topLevel(): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of COMMANDS) if (!c.path.includes(' ')) out.set(c.path, c.short);
  return out;
}

/** `berth --help`. */
export function rootHelp(bin: string, env: NodeJS.ProcessEnv): string {
  const top = topLevel();
  let s = `Usage:  ${bin} [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n`;
  for (const name of COMMON) if (top.has(name)) s += line(name, top.get(name)!);
  s += '\nManagement Commands:\n';
  for (const [name, short] of Object.entries(MANAGEMENT)) s += line(name, short);
  s += '\nCommands:\n';
  for (const name of [...top.keys()].sort()) if (!COMMON.includes(name)) s += line(name, top.get(name)!);
  s += `\nGlobal Options:\n${globalOptionsHelp(env)}`;
  s += `\nRun '${bin} COMMAND --help' for more information on a command.\n`;
  return s;
}

/** `berth container --help`: its subcommands. */
export function managementHelp(bin: string, group: string): string {
  let s = `Usage:  ${bin} ${group} COMMAND\n\n${MANAGEMENT[group]}\n\nCommands:\n`;
  const subs = COMMANDS.filter((c) => c.path.startsWith(`${group} `))
    .map((c) => [c.path.slice(group.length + 1), c.short] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [name, short] of subs) s += line(name, short);
  s += `\nRun '${bin} ${group} COMMAND --help' for more information on a command.\n`;
  return s;
}
