// Value parsers for the docker CLI's flags, with its rules and error texts (docker/cli opts/, go-units, moby/sys):
// env and label lists and files, ulimits, restart policies, signals, hosts, DNS, capabilities, security and logging
// options, devices, blkio throttles, GPUs, filters, platforms. Ports, mounts and networks live beside this file and are
// re-exported here, as are the unit parsers (sizes, durations, --cpus).
import { readFileSync } from 'node:fs';
import { errnoCode, InvalidParameter } from '../../errdefs/index.js';
import type { RestartPolicy, Ulimit } from '../../api/index.js';
import { csvOrThrow, readCsvRecord } from './csv.js';
import { ipString, parseIP } from './ip.js';
import { atoi, NumError, parseInt64, parseUint64, quote, quoteRune } from './strconv.js';
import { ramInBytes } from './units.js';
import type { DeviceMapping, DeviceRequest, ThrottleDevice, WeightDevice } from './wire.js';

export * from './mounts.js';
export * from './network-opts.js';
export * from './ports.js';
export * from './units.js';

/** Looks a variable up in the CLI's environment (os.LookupEnv). */
export type LookupEnv = (key: string) => string | undefined;
/** Reads a file (bytes, or text); throws a Node system error (ENOENT, …) on failure. */
export type ReadFile = (path: string) => string | Uint8Array;

export const defaultReadFile: ReadFile = (p) => readFileSync(p);

/** A Go-style message for a failed open: "open x: no such file or directory". */
export function openErrorText(path: string, e: unknown): string {
  const texts: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    ELOOP: 'too many levels of symbolic links',
  };
  const code = errnoCode(e);
  if (code === 'EISDIR') return `read ${path}: is a directory`;
  const text = code ? texts[code] : undefined;
  return `open ${path}: ${text ?? (e instanceof Error ? e.message : String(e))}`;
}

const cut = (s: string, sep: string): [string, string, boolean] => {
  const i = s.indexOf(sep);
  return i < 0 ? [s, '', false] : [s.slice(0, i), s.slice(i + sep.length), true];
};

// ---- env, labels, key/value files ------------------------------------------------------------------------------

/**
 * opts.ValidateEnv: `-e KEY=value` as is; `-e KEY` becomes KEY=<value> when set in the CLI's environment, else stays
 * `KEY` (the daemon then leaves it out). Error: `invalid environment variable: =x`.
 */
export function validateEnv(val: string, lookup: LookupEnv): string {
  const [k, , hasValue] = cut(val, '=');
  if (k === '') throw new InvalidParameter(`invalid environment variable: ${val}`);
  if (hasValue) return val;
  const v = lookup(k);
  return v !== undefined ? `${k}=${v}` : val;
}

/** opts.ValidateLabel: `key[=value]`; errors `invalid label '=x': empty name`, `label 'a b' contains whitespaces`. */
export function validateLabel(value: string): string {
  const key = cut(value, '=')[0].replace(/^[ \t]+/, '');
  if (key === '') throw new InvalidParameter(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new InvalidParameter(`label '${key}' contains whitespaces`);
  return value;
}

/**
 * The content of an --env-file / --label-file (docker/cli pkg/kvfile): `#` comments and blank lines skipped, leading
 * whitespace trimmed, `KEY=value` kept as is, a bare `KEY` taken from `lookup` (dropped when absent or when there is
 * no lookup, as for label files). Errors name the file: `invalid env file (f): variable 'A B' contains whitespaces`.
 */
export function parseKeyValueFile(content: string | Uint8Array, filename: string, lookup?: LookupEnv): string[] {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const fail = (msg: string) => new InvalidParameter(`invalid env file (${filename}): ${msg}`);
  const out: string[] = [];
  let start = 0;
  for (let lineNo = 1; start < bytes.length; lineNo++) {
    let end = bytes.indexOf(0x0a, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    let raw = bytes.subarray(start, end);
    start = next;
    if (raw.length > 0 && raw[raw.length - 1] === 0x0d) raw = raw.subarray(0, raw.length - 1);
    if (lineNo === 1 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) raw = raw.subarray(3);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw fail(`invalid utf8 bytes at line ${lineNo}: [${Array.from(raw).join(' ')}]`);
    }
    const line = text.replace(/^\s+/u, '');
    if (line.length === 0 || line[0] === '#') continue;
    const [key, , hasValue] = cut(line, '=');
    if (key.length === 0) throw fail(`no variable name on line '${line}'`);
    if (/[ \t]/.test(key)) throw fail(`variable '${key}' contains whitespaces`);
    if (hasValue) {
      out.push(line);
      continue;
    }
    const v = lookup?.(line);
    if (v !== undefined) out.push(`${key}=${v}`);
  }
  return out;
}

/**
 * opts.ReadKVEnvStrings / ReadKVStrings: the files' entries in order, then `overrides` (the -e / -l values).
 * Pass `lookup` for env files (bare keys from the environment), none for label files.
 */
export function readKVStrings(
  files: string[],
  overrides: string[],
  lookup: LookupEnv | undefined,
  readFile: ReadFile = defaultReadFile,
): string[] {
  const vars: string[] = [];
  for (const f of files) {
    let content: string | Uint8Array;
    try {
      content = readFile(f);
    } catch (e) {
      throw new InvalidParameter(openErrorText(f, e), { cause: e });
    }
    vars.push(...parseKeyValueFile(content, f, lookup));
  }
  return vars.concat(overrides);
}

/** opts.ConvertKVStringsToMap: ["a=b", "c"] → {a: "b", c: ""}; later keys win. */
export function kvStringsToMap(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const [k, val] = cut(v, '=');
    out[k] = val;
  }
  return out;
}

/**
 * The env list the CLI sends for -e: duplicates collapse (the last value wins, in the first one's place) and a bare
 * `KEY` stays bare. (docker builds this through a Go map, so its order is random; first-seen order is one of them.)
 */
export function dedupeEnv(values: string[]): string[] {
  const order: string[] = [];
  const vals = new Map<string, string | undefined>();
  for (const v of values) {
    const [k, val, ok] = cut(v, '=');
    if (!vals.has(k)) order.push(k);
    vals.set(k, ok ? val : undefined);
  }
  return order.map((k) => {
    const v = vals.get(k);
    return v === undefined ? k : `${k}=${v}`;
  });
}

// ---- ulimits ---------------------------------------------------------------------------------------------------

/** go-units' ulimit names ("as" is deliberately absent, as there). */
export const ULIMIT_NAMES = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
] as const;

/** go-units ParseUlimit: `nofile=1024:2048` or `nofile=1024` (hard = soft); `-1` is unlimited. */
export function parseUlimit(val: string): Ulimit {
  const [name, limits, ok] = cut(val, '=');
  if (!ok) throw new InvalidParameter(`invalid ulimit argument: ${val}`);
  if (!(ULIMIT_NAMES as readonly string[]).includes(name)) throw new InvalidParameter(`invalid ulimit type: ${name}`);
  const parts = limits.split(':');
  if (parts.length > 2) {
    throw new InvalidParameter(`too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``);
  }
  const hard = parts.length === 2 ? parseInt64(parts[1]!) : undefined;
  const soft = parseInt64(parts[0]!);
  const h = hard ?? soft;
  if (h !== -1) {
    if (soft === -1) {
      throw new InvalidParameter(
        `ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${h}`,
      );
    }
    if (soft > h)
      throw new InvalidParameter(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${h}`);
  }
  return { Name: name, Hard: h, Soft: soft };
}

// ---- restart policy --------------------------------------------------------------------------------------------

/**
 * opts.ParseRestartPolicy: `no`, `always`, `unless-stopped`, `on-failure[:N]`. Like the CLI it only checks the
 * format; the name is the daemon's to reject. "" gives an empty policy.
 */
export function parseRestartPolicy(policy: string): Required<RestartPolicy> {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const [k, v, ok] = cut(policy, ':');
  if (ok && k === '') throw new InvalidParameter('invalid restart policy format: no policy provided before colon');
  let count = 0;
  if (v !== '') {
    try {
      count = atoi(v);
    } catch {
      throw new InvalidParameter('invalid restart policy format: maximum retry count must be an integer');
    }
  }
  return { Name: k, MaximumRetryCount: count };
}

// ---- signals ---------------------------------------------------------------------------------------------------

/** moby/sys/signal's Linux SignalMap. */
export const SIGNALS: Readonly<Record<string, number>> = (() => {
  const m: Record<string, number> = {
    ABRT: 6,
    ALRM: 14,
    BUS: 7,
    CHLD: 17,
    CLD: 17,
    CONT: 18,
    FPE: 8,
    HUP: 1,
    ILL: 4,
    INT: 2,
    IO: 29,
    IOT: 6,
    KILL: 9,
    PIPE: 13,
    POLL: 29,
    PROF: 27,
    PWR: 30,
    QUIT: 3,
    SEGV: 11,
    STKFLT: 16,
    STOP: 19,
    SYS: 31,
    TERM: 15,
    TRAP: 5,
    TSTP: 20,
    TTIN: 21,
    TTOU: 22,
    URG: 23,
    USR1: 10,
    USR2: 12,
    VTALRM: 26,
    WINCH: 28,
    XCPU: 24,
    XFSZ: 25,
    RTMIN: 34,
    RTMAX: 64,
  };
  for (let i = 1; i <= 15; i++) m[`RTMIN+${i}`] = 34 + i;
  for (let i = 14; i >= 1; i--) m[`RTMAX-${i}`] = 64 - i;
  return m;
})();

/**
 * moby/sys/signal ParseSignal: a number ("9") or a name with or without SIG, any case ("kill", "SIGTERM",
 * "RTMIN+3"). Error: `invalid signal: FOO`.
 */
export function parseSignal(raw: string): number {
  let n: number | undefined;
  try {
    n = atoi(raw);
  } catch {
    n = undefined;
  }
  if (n !== undefined) {
    if (n === 0) throw new InvalidParameter(`invalid signal: ${raw}`);
    return n;
  }
  const upper = raw.toUpperCase();
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  const sig = Object.hasOwn(SIGNALS, name) ? SIGNALS[name] : undefined;
  if (sig === undefined) throw new InvalidParameter(`invalid signal: ${raw}`);
  return sig;
}

/** The canonical name of a signal number ("SIGTERM"), or undefined. */
export function signalName(n: number): string | undefined {
  for (const [name, num] of Object.entries(SIGNALS)) {
    if (num === n && name !== 'CLD' && name !== 'IOT' && name !== 'POLL') return `SIG${name}`;
  }
  return undefined;
}

// ---- network-ish values ----------------------------------------------------------------------------------------

/** opts.ValidateIPAddress: trims, returns the canonical form; error `IP address is not correctly formatted: x`. */
export function validateIPAddress(val: string): string {
  const ip = parseIP(val.trim());
  if (!ip) throw new InvalidParameter(`IP address is not correctly formatted: ${val}`);
  return ipString(ip);
}

// The CLI's domainRegexp, "(:?" typos included.
const DOMAIN =
  /^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\.?\s*$/;

/** opts.ValidateDNSSearch: a domain, or "." for none; error `x is not a valid domain`. */
export function validateDNSSearch(val: string): string {
  val = val.replace(/^ +| +$/g, '');
  if (val === '.') return val;
  if (!/[a-zA-Z]/.test(val)) throw new InvalidParameter(`${val} is not a valid domain`);
  const m = DOMAIN.exec(val);
  if (m && m[1]!.length < 255) return m[1]!;
  throw new InvalidParameter(`${val} is not a valid domain`);
}

/**
 * opts.ValidateExtraHost: `host:ip`, `host=ip`, `host=[v6]`, `host:host-gateway` → "host:ip" (the form the daemon
 * takes; the address is kept as written). Errors: `bad format for add-host: "x"`, `invalid IP address in add-host: "x"`.
 */
export function validateExtraHost(val: string): string {
  let [k, v, ok] = cut(val, '=');
  if (!ok) [k, v, ok] = cut(val, ':');
  if (!ok || k === '' || k.includes(':')) throw new InvalidParameter(`bad format for add-host: ${quote(val)}`);
  if (v !== 'host-gateway') {
    if (v.length > 2 && v[0] === '[' && v[v.length - 1] === ']') v = v.slice(1, -1);
    if (!parseIP(v.trim())) throw new InvalidParameter(`invalid IP address in add-host: ${quote(v)}`);
  }
  return `${k}:${v}`;
}

/** opts.ParseLink: `name[:alias]` → [name, alias]. */
export function parseLink(val: string): [string, string] {
  if (val === '') throw new InvalidParameter('empty string specified for links');
  const arr = val.split(':');
  if (arr.length > 2) throw new InvalidParameter(`bad format for links: ${val}`);
  if (arr.length === 1) return [val, val];
  if (arr[0]!.startsWith('/')) {
    const alias = arr[1]!.slice(arr[1]!.lastIndexOf('/') + 1);
    return [arr[0]!.slice(1), alias];
  }
  return [arr[0]!, arr[1]!];
}

export function validateLink(val: string): string {
  parseLink(val);
  return val;
}

const ALLOWED_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/** opts.ValidateSysctl: namespaced sysctls only (net.*, fs.mqueue.*, a few kernel.*). */
export function validateSysctl(val: string): string {
  const [k, , ok] = cut(val, '=');
  if (ok && k !== '' && (ALLOWED_SYSCTLS.has(k) || k.startsWith('net.') || k.startsWith('fs.mqueue.'))) return val;
  throw new InvalidParameter(`sysctl '${val}' is not allowed`);
}

/** The CLI's validateAttach: stdin/stdout/stderr, any case, lower-cased. */
export function validateAttach(val: string): string {
  const s = val.toLowerCase();
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s;
  throw new InvalidParameter('valid streams are STDIN, STDOUT and STDERR');
}

// ---- capabilities, security, logging, storage -------------------------------------------------------------------

/** The API client's normalizeCapabilities: upper-case, "CAP_" prefixed (except ALL), de-duplicated, sorted. */
export function normalizeCapabilities(caps: string[]): string[] | null {
  const seen = new Set<string>();
  for (let c of caps) {
    c = c.toUpperCase();
    if (c !== 'ALL' && !c.startsWith('CAP_')) c = `CAP_${c}`;
    seen.add(c);
  }
  return seen.size === 0 ? null : [...seen].sort();
}

/**
 * The CLI's parseSecurityOpts: `key=value` or `key:value` (only no-new-privileges may stand alone); a seccomp
 * profile that is a file is read and sent compacted. Errors: `Invalid --security-opt: "x"`, `opening seccomp profile
 * (f) failed: …`, `compacting json for seccomp profile (f) failed: …`.
 */
export function parseSecurityOpts(securityOpts: string[], readFile: ReadFile = defaultReadFile): string[] {
  return securityOpts.map((opt) => {
    let [k, v, ok] = cut(opt, '=');
    if (!ok && k !== 'no-new-privileges') [k, v, ok] = cut(opt, ':');
    if ((!ok || v === '') && k !== 'no-new-privileges') {
      throw new InvalidParameter(`Invalid --security-opt: ${quote(opt)}`);
    }
    if (k !== 'seccomp' || v === 'builtin' || v === 'unconfined') return opt;
    let text: string;
    try {
      const raw = readFile(v);
      text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
    } catch (e) {
      throw new InvalidParameter(`opening seccomp profile (${v}) failed: ${openErrorText(v, e)}`, { cause: e });
    }
    return `seccomp=${compactJSON(text, (why) => `compacting json for seccomp profile (${v}) failed: ${why}`)}`;
  });
}

/** json.Compact: whitespace outside strings removed, everything else (key order, number spelling) kept. */
export function compactJSON(text: string, message: (why: string) => string = (w) => w): string {
  try {
    JSON.parse(text);
  } catch (e) {
    const first = text.trimStart()[0];
    let why: string;
    if (first === undefined) why = 'unexpected end of JSON input';
    else if (!/[[{"\-0-9tfn]/.test(first)) why = `invalid character ${quoteRune(first)} looking for beginning of value`;
    else if (/end of (JSON|data)|Unterminated/i.test(String(e))) why = 'unexpected end of JSON input';
    else why = e instanceof Error ? e.message : String(e);
    throw new InvalidParameter(message(why), { cause: e });
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      out += c;
    }
  }
  return out;
}

/**
 * The CLI's parseSystemPaths: `systempaths=unconfined` is handled client-side — it is removed and MaskedPaths /
 * ReadonlyPaths are sent empty (instead of null).
 */
export function parseSystemPaths(securityOpts: string[]): {
  securityOpts: string[];
  maskedPaths: string[] | null;
  readonlyPaths: string[] | null;
} {
  const filtered = securityOpts.filter((o) => o !== 'systempaths=unconfined');
  const unconfined = filtered.length !== securityOpts.length;
  return { securityOpts: filtered, maskedPaths: unconfined ? [] : null, readonlyPaths: unconfined ? [] : null };
}

/** --log-opt list → map; error `invalid logging opts for driver none` when the driver is none. */
export function parseLoggingOpts(driver: string, opts: string[]): Record<string, string> {
  if (driver === 'none' && opts.length > 0) throw new InvalidParameter(`invalid logging opts for driver ${driver}`);
  return kvStringsToMap(opts);
}

/** --storage-opt list → map; error `invalid storage option`. */
export function parseStorageOpts(opts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of opts) {
    const [k, v, ok] = cut(o, '=');
    if (!ok) throw new InvalidParameter('invalid storage option');
    out[k] = v;
  }
  return out;
}

// ---- devices ---------------------------------------------------------------------------------------------------

/** A composition of r, w and m, each at most once. */
export function validDeviceMode(mode: string): boolean {
  if (mode === '') return false;
  const seen = new Set<string>();
  for (const c of mode) {
    if (!'rwm'.includes(c) || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

const posixClean = (p: string): string => {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
    } else out.push(seg);
  }
  const s = (abs ? '/' : '') + out.join('/');
  return s === '' ? '.' : s;
};

/**
 * The CLI's validateLinuxPath for --device: `host[:container][:mode]`, container path absolute, mode in r/w/m.
 * Returns the cleaned spec. Errors: `bad format for path: x`, `bad mode specified: x`, `x is not an absolute path`.
 */
export function validateDevice(val: string): string {
  if ((val.match(/:/g) ?? []).length > 2) throw new InvalidParameter(`bad format for path: ${val}`);
  const split = val.split(':');
  if (split[0] === '') throw new InvalidParameter(`bad format for path: ${val}`);
  let containerPath: string;
  if (split.length === 1) {
    containerPath = split[0]!;
    val = posixClean(containerPath);
  } else if (split.length === 2) {
    if (validDeviceMode(split[1]!)) {
      containerPath = split[0]!;
      val = `${posixClean(containerPath)}:${split[1]}`;
    } else {
      containerPath = split[1]!;
      val = `${split[0]}:${posixClean(containerPath)}`;
    }
  } else {
    containerPath = split[1]!;
    if (!validDeviceMode(split[2]!)) throw new InvalidParameter(`bad mode specified: ${split[2]}`);
    val = `${split[0]}:${containerPath}:${split[2]}`;
  }
  if (!containerPath.startsWith('/')) throw new InvalidParameter(`${containerPath} is not an absolute path`);
  return val;
}

/** The CLI's parseLinuxDevice: `host[:container][:perms]` → DeviceMapping (perms default rwm). */
export function parseDevice(device: string): DeviceMapping {
  const arr = device.split(':');
  const src = arr[0]!;
  let dst = '';
  let permissions = 'rwm';
  if (arr.length > 3) throw new InvalidParameter(`invalid device specification: ${device}`);
  if (arr.length === 3) permissions = arr[2]!;
  if (arr.length >= 2) {
    if (validDeviceMode(arr[1]!)) permissions = arr[1]!;
    else dst = arr[1]!;
  }
  if (dst === '') dst = src;
  return { PathOnHost: src, PathInContainer: dst, CgroupPermissions: permissions };
}

// CDI's qualified device name: vendor.com/class=name.
const CDI_VENDOR = /^[A-Za-z](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const CDI_CLASS = /^[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$/;
const CDI_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.:-]*[A-Za-z0-9])?$/;

/** cdi parser.IsQualifiedName: `vendor/class=name` (sent as a "cdi" DeviceRequest instead of a device mapping). */
export function isCdiQualifiedName(device: string): boolean {
  const [kind, name, ok] = cut(device, '=');
  if (!ok) return false;
  const [vendor, cls, ok2] = cut(kind, '/');
  return ok2 && CDI_VENDOR.test(vendor) && CDI_CLASS.test(cls) && CDI_NAME.test(name);
}

const DEVICE_CGROUP_RULE = /^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/;

export function validateDeviceCgroupRule(val: string): string {
  if (DEVICE_CGROUP_RULE.test(val)) return val;
  throw new InvalidParameter(`invalid device cgroup format '${val}'`);
}

function devicePath(val: string): [string, string] {
  const [k, v, ok] = cut(val, ':');
  if (!ok || k === '') throw new InvalidParameter(`bad format: ${val}`);
  if (!k.startsWith('/dev/')) throw new InvalidParameter(`bad format for device path: ${val}`);
  return [k, v];
}

/** --device-read-bps / --device-write-bps: `/dev/sda:1mb`. */
export function validateThrottleBpsDevice(val: string): ThrottleDevice {
  const [k, v] = devicePath(val);
  const bad = new InvalidParameter(
    `invalid rate for device: ${val}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`,
  );
  let rate: number;
  try {
    rate = ramInBytes(v);
  } catch {
    throw bad;
  }
  if (rate < 0) throw bad;
  return { Path: k, Rate: rate };
}

/** --device-read-iops / --device-write-iops: `/dev/sda:1000`. */
export function validateThrottleIOpsDevice(val: string): ThrottleDevice {
  const [k, v] = devicePath(val);
  try {
    return { Path: k, Rate: parseUint64(v) };
  } catch {
    throw new InvalidParameter(
      `invalid rate for device: ${val}. The correct format is <device-path>:<number>. Number must be a positive integer`,
    );
  }
}

/** --blkio-weight-device: `/dev/sda:200` (10-1000, or 0). */
export function validateWeightDevice(val: string): WeightDevice {
  const [k, v] = devicePath(val);
  let weight: number;
  try {
    weight = parseUint64(v, 10, 16);
  } catch {
    throw new InvalidParameter(`invalid weight for device: ${val}`);
  }
  if (weight > 0 && (weight < 10 || weight > 1000)) throw new InvalidParameter(`invalid weight for device: ${val}`);
  return { Path: k, Weight: weight };
}

/** opts.GpuOpts: `all`, `2`, `device=0`, `driver=nvidia,count=1,capabilities=compute,options=a=b` (CSV). */
export function parseGpuRequest(value: string): DeviceRequest {
  const fields = csvOrThrow(value);
  const req: DeviceRequest = { Driver: '', Count: 0, DeviceIDs: null, Capabilities: null, Options: null };
  const seen = new Set<string>();
  const parseCount = (s: string): number => {
    if (s === 'all') return -1;
    try {
      return atoi(s);
    } catch (e) {
      const why = e instanceof NumError ? e.reason : String(e);
      throw new InvalidParameter(`invalid count (${s}): value must be either "all" or an integer: ${why}`);
    }
  };
  for (const field of fields) {
    const [key, val, withValue] = cut(field, '=');
    if (seen.has(key)) throw new InvalidParameter(`gpu request key '${key}' can be specified only once`);
    seen.add(key);
    if (!withValue) {
      seen.add('count');
      req.Count = parseCount(key);
      continue;
    }
    switch (key) {
      case 'driver':
        req.Driver = val;
        break;
      case 'count':
        req.Count = parseCount(val);
        break;
      case 'device':
        req.DeviceIDs = val.split(',');
        break;
      case 'capabilities':
        req.Capabilities = [[...val.split(','), 'gpu']];
        break;
      case 'options': {
        let opts: string[];
        try {
          opts = readCsvRecord(val);
        } catch (e) {
          throw new InvalidParameter(`failed to read gpu options: ${(e as Error).message}`);
        }
        req.Options = kvStringsToMap(opts);
        break;
      }
      default:
        throw new InvalidParameter(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!seen.has('count') && req.DeviceIDs === null) req.Count = 1;
  req.Options ??= {};
  req.Capabilities ??= [['gpu']];
  return req;
}

// ---- filters ---------------------------------------------------------------------------------------------------

/** filters.Args as the API takes it: `{"label": {"a=b": true}}`. */
export type FilterArgs = Record<string, Record<string, boolean>>;

/** opts.FilterOpt's Set: `name=value` (name lower-cased, both trimmed); "" is ignored (undefined). */
export function parseFilter(value: string): [string, string] | undefined {
  if (value === '') return undefined;
  if (!value.includes('=')) throw new InvalidParameter('bad format of filter (expected name=value)');
  const [name, val] = cut(value, '=');
  return [name.trim().toLowerCase(), val.trim()];
}

/** Accumulates `name=value` pairs into filters.Args. */
export function filterArgs(pairs: Iterable<[string, string]>): FilterArgs {
  const out: FilterArgs = {};
  for (const [k, v] of pairs) {
    out[k] ??= {};
    out[k][v] = true;
  }
  return out;
}

/** filters.ToJSON: "" when there are none. */
export const filtersToJSON = (f: FilterArgs): string => (Object.keys(f).length === 0 ? '' : JSON.stringify(f));

// ---- platform, pull, namespace modes ---------------------------------------------------------------------------

const KNOWN_OS = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'illumos',
  'ios',
  'js',
  'linux',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'wasip1',
]);
const NODE_TO_GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
const hostArch = (): string => NODE_TO_GO_ARCH[process.arch] ?? process.arch;

// containerd's normalizeArch.
function normalizeArch(arch: string, variant: string): [string, string] {
  switch (arch) {
    case 'i386':
    case '386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      return ['arm64', variant === '8' || variant === 'v8.0' ? 'v8' : variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      return ['arm', /^[0-9]+$/.test(variant) ? `v${variant}` : variant];
    default:
      return [arch, variant];
  }
}

const KNOWN_ARCH = new Set([
  '386',
  'amd64',
  'arm',
  'arm64',
  'loong64',
  'mips',
  'mips64',
  'mips64le',
  'mipsle',
  'ppc64',
  'ppc64le',
  'riscv64',
  's390x',
  'wasm',
]);

/**
 * containerd's platforms.Parse + the client's formatPlatform, as the CLI sends `?platform=`: "amd64" → linux/amd64,
 * "Linux/x86_64" → linux/amd64, "windows" → windows/<host arch>, "linux/armhf" → linux/arm, "linux/arm/7" →
 * linux/arm/v7. Errors as the CLI prints them.
 */
export function normalizePlatform(spec: string): string {
  const fail = (why: string) =>
    new InvalidParameter(`error parsing specified platform: ${quote(spec)}: ${why}: invalid argument`);
  const parts = spec.split('/');
  if (parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw fail('cannot parse platform specifier');
  }
  const lower = parts.map((p) => p.toLowerCase());
  let os: string;
  let arch: string;
  let variant: string;
  if (lower.length === 1) {
    if (KNOWN_OS.has(lower[0]!)) {
      os = lower[0]!;
      [arch, variant] = normalizeArch(hostArch(), '');
    } else {
      [arch, variant] = normalizeArch(lower[0]!, '');
      if (!KNOWN_ARCH.has(arch)) throw fail('unknown operating system or architecture');
      os = 'linux';
    }
  } else {
    os = lower[0] === 'macos' ? 'darwin' : lower[0]!;
    [arch, variant] = normalizeArch(lower[1]!, lower[2] ?? '');
  }
  // arm's default variant is left out unless it was spelled out.
  if (lower.length < 3 && arch === 'arm' && variant === 'v7') variant = '';
  return [os, arch, variant].filter((p) => p !== '').join('/');
}

/** The CLI's validatePullOpt. */
export function validatePullOpt(val: string): string {
  if (val === 'always' || val === 'missing' || val === 'never' || val === '') return val;
  throw new InvalidParameter(`invalid pull option: '${val}': must be one of "always", "missing" or "never"`);
}

const containerRef = (v: string): string | undefined => {
  const [k, id, ok] = cut(v, ':');
  return ok && k === 'container' ? id : undefined;
};

/** HostConfig mode checks the CLI applies before sending (--pid, --uts, --userns, --cgroupns). */
export const validPidMode = (v: string): boolean => v === '' || v === 'host' || !!containerRef(v);
export const validUtsMode = (v: string): boolean => v === '' || v === 'host';
export const validUsernsMode = (v: string): boolean => v === '' || v === 'host';
export const validCgroupnsMode = (v: string): boolean => v === '' || v === 'host' || v === 'private';
/** NetworkMode.IsUserDefined: not default/bridge/host/none/container:<x>. */
export const isUserDefinedNetwork = (v: string): boolean =>
  v !== 'default' && v !== 'bridge' && v !== 'host' && v !== 'none' && containerRef(v) === undefined;
