// HostConfig.SecurityOpt as moby's parseSecurityOpt reads it: `no-new-privileges[=bool]`, `seccomp=…`,
// `apparmor=…`, `label=…` (key=value, or the deprecated key:value), with its error texts, checked at create.
import { InvalidParameter } from '../../errdefs/index.js';

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** `unconfined`, `builtin`, or a JSON profile (the CLI sends a file's content). */
  seccomp?: string;
  apparmor?: string;
  labels: string[];
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

export function parseSecurityOpts(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, labels: [] };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
    if (sep === undefined) throw new InvalidParameter(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const i = opt.indexOf(sep);
    const [key, value] = [opt.slice(0, i), opt.slice(i + 1)];
    if (key === 'label') out.labels.push(value);
    else if (key === 'apparmor') out.apparmor = value;
    else if (key === 'seccomp') out.seccomp = value;
    else if (key === 'no-new-privileges' && parseBool(value) !== undefined)
      out.noNewPrivileges = parseBool(value) === true;
    else throw new InvalidParameter(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
  }
  return out;
}
