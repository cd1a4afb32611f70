// The global-options pass docker's CLI makes before finding the command: `docker [-H x] [-D] [-l lvl] [--config d]
// [-c ctx] [--tls…] [-v] COMMAND ...`, flags stopping at the first word that is not one (the command).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type FlagSpec, parseFlags } from './parser.js';
import { flagUsages } from './usage.js';

export const ROOT_USAGE = '[OPTIONS] COMMAND [ARG...]';

/** The root command's flags; defaults depend on the environment (DOCKER_CONFIG, DOCKER_CERT_PATH, DOCKER_TLS…). */
export function globalFlags(env: Record<string, string | undefined> = process.env): FlagSpec[] {
  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const certPath = env.DOCKER_CERT_PATH || configDir;
  return [
    { name: 'config', type: 'string', default: configDir, description: 'Location of client config files' },
    { name: 'debug', short: 'D', type: 'bool', description: 'Enable debug mode' },
    {
      name: 'log-level',
      short: 'l',
      type: 'string',
      default: 'info',
      description: 'Set the logging level ("debug", "info", "warn", "error", "fatal")',
    },
    { name: 'tls', type: 'bool', default: !!env.DOCKER_TLS, description: 'Use TLS; implied by --tlsverify' },
    {
      name: 'tlsverify',
      type: 'bool',
      default: !!env.DOCKER_TLS_VERIFY,
      description: 'Use TLS and verify the remote',
    },
    // docker's QuotedString: help shows the default quoted although the type word is "string".
    quotedPath('tlscacert', join(certPath, 'ca.pem'), 'Trust certs signed only by this CA'),
    quotedPath('tlscert', join(certPath, 'cert.pem'), 'Path to TLS certificate file'),
    quotedPath('tlskey', join(certPath, 'key.pem'), 'Path to TLS key file'),
    { name: 'host', short: 'H', type: 'list', description: 'Daemon socket to connect to' },
    {
      name: 'context',
      short: 'c',
      type: 'string',
      description:
        'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")',
    },
    { name: 'version', short: 'v', type: 'bool', description: 'Print version information and quit' },
  ];
}

const quotedPath = (name: string, dflt: string, description: string): FlagSpec => ({
  name,
  type: 'value',
  typeName: 'string',
  default: dflt,
  defaultText: `"${dflt}"`,
  parse: (raw) => raw.replace(/^"(.*)"$/s, '$1'),
  description,
});

export interface GlobalOptions {
  config: string;
  context: string;
  debug: boolean;
  /** -H/--host values in order (docker accepts only one; the caller says so). */
  hosts: string[];
  logLevel: string;
  tls: boolean;
  tlsVerify: boolean;
  tlsCACert: string;
  tlsCert: string;
  tlsKey: string;
  version: boolean;
  help: boolean;
}

/**
 * Parses the global options in front of the command (not interspersed). Returns them, the remaining words (command
 * first), the names of the flags given and pflag's deprecation notices. Throws FlagError with pflag's text; docker
 * reports it with usage line "docker [OPTIONS] COMMAND [ARG...]" and exit status 125.
 */
export function parseGlobalOptions(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): { options: GlobalOptions; rest: string[]; changed: string[]; warnings: string[] } {
  const p = parseFlags(globalFlags(env), argv, { interspersed: false });
  const tlsVerify = p.bool('tlsverify');
  return {
    options: {
      config: p.string('config'),
      context: p.string('context'),
      debug: p.bool('debug'),
      hosts: [...p.list('host')],
      logLevel: p.string('log-level'),
      // --tlsverify implies --tls (SetDefaultOptions).
      tls: p.bool('tls') || tlsVerify || p.changed('tlsverify'),
      tlsVerify,
      tlsCACert: p.get<string>('tlscacert'),
      tlsCert: p.get<string>('tlscert'),
      tlsKey: p.get<string>('tlskey'),
      version: p.bool('version'),
      help: p.help,
    },
    rest: [...p.args],
    changed: [...p.setOrder],
    warnings: [...p.warnings],
  };
}

/** The "Global Options:" block of `docker --help`. */
export const globalOptionsHelp = (env: Record<string, string | undefined> = process.env, width = 80): string =>
  flagUsages(globalFlags(env), width - 1);
