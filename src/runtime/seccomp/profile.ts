// Docker's JSON seccomp profile format (moby profiles/seccomp): validated, then resolved for one container — its
// capability set, the host's arch and kernel — into the runtime-spec LinuxSeccomp the BPF compiler takes.
import { InvalidParameter } from '../../errdefs/index.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from '../spec.js';

/** A condition on a rule: every listed cap held (includes) / any held (excludes), arch, kernel "major.minor". */
export interface ProfileFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface ProfileSyscall {
  names?: string[];
  /** The old single-name form. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[] | null;
  comment?: string;
  includes?: ProfileFilter;
  excludes?: ProfileFilter;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  flags?: string[];
  syscalls?: ProfileSyscall[];
}

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
] as const;

export const SECCOMP_OPS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;

export const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
] as const;

export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;

/** Node's process.arch → the name Docker's profiles use in includes/excludes ("amd64", "arm64", "x86", ...). */
const NODE_TO_PROFILE_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: 'x86',
  arm: 'arm',
  s390x: 's390x',
  ppc64: 'ppc64le',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/** The profile arch name of a host arch, and its SCMP_ARCH_* for archMap. */
const PROFILE_TO_SCMP: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  x86: 'SCMP_ARCH_X86',
  arm: 'SCMP_ARCH_ARM',
  s390x: 'SCMP_ARCH_S390X',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

function bad(msg: string): never {
  throw new InvalidParameter(`seccomp profile: ${msg}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) bad(`${where} must be a list of strings`);
  return v as string[];
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string, where: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    bad(`${where}: unknown ${what} ${JSON.stringify(v)}`);
  return v as T;
}

function errno(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 4095)
    bad(`${where}: errnoRet must be an errno (0-4095)`);
  return v;
}

function u64(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(`${where} must be an unsigned integer`);
  return v;
}

function kernel(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !/^\d+\.\d+$/.test(v) || /^0+\.0+$/.test(v)) {
    bad(`${where}: invalid kernel version ${JSON.stringify(v)}, expected "<kernel>.<major>"`);
  }
  return v;
}

function filter(v: unknown, where: string): ProfileFilter | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) bad(`${where} must be an object`);
  const caps = strings(v.caps, `${where}.caps`);
  const arches = strings(v.arches, `${where}.arches`);
  const minKernel = kernel(v.minKernel, `${where}.minKernel`);
  return { ...(caps && { caps }), ...(arches && { arches }), ...(minKernel && { minKernel }) };
}

function arg(v: unknown, where: string): LinuxSeccompArg {
  if (!isObject(v)) bad(`${where} must be an object`);
  const index = v.index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) {
    bad(`${where}: index ${JSON.stringify(index)} out of range, a syscall has arguments 0 to 5`);
  }
  const op = oneOf(v.op, SECCOMP_OPS, 'op', where);
  const out: LinuxSeccompArg = { index, value: u64(v.value ?? 0, `${where}.value`), op };
  if (v.valueTwo !== undefined && v.valueTwo !== null) out.valueTwo = u64(v.valueTwo, `${where}.valueTwo`);
  return out;
}

function syscall(v: unknown, where: string): ProfileSyscall {
  if (!isObject(v)) bad(`${where} must be an object`);
  let names = strings(v.names, `${where}.names`);
  if (typeof v.name === 'string' && v.name !== '') {
    if (names && names.length > 0) {
      bad(`both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'`);
    }
    names = [v.name];
  }
  if (!names || names.length === 0) bad(`${where}: no syscall names`);
  const action = oneOf(v.action, SECCOMP_ACTIONS, 'action', where);
  const args = v.args === undefined || v.args === null ? [] : v.args;
  if (!Array.isArray(args)) bad(`${where}.args must be a list`);
  const out: ProfileSyscall = { names, action, args: args.map((a, i) => arg(a, `${where}.args[${i}]`)) };
  const e = errno(v.errnoRet, where);
  if (e !== undefined) out.errnoRet = e;
  const inc = filter(v.includes, `${where}.includes`);
  const exc = filter(v.excludes, `${where}.excludes`);
  if (inc) out.includes = inc;
  if (exc) out.excludes = exc;
  return out;
}

/**
 * Parses and validates a profile in Docker's JSON format (the content `--security-opt seccomp=<file>` sends).
 * Returns undefined for a profile with neither a default action nor rules: Docker treats that as no filter.
 */
export function parseProfile(input: string | unknown): SeccompProfile | undefined {
  let v: unknown = input;
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input);
    } catch (e) {
      throw new InvalidParameter(`Decoding seccomp profile failed: ${(e as Error).message}`, { cause: e });
    }
  }
  if (!isObject(v)) bad('must be a JSON object');
  const rawSyscalls = v.syscalls ?? [];
  if (!Array.isArray(rawSyscalls)) bad('syscalls must be a list');
  if ((v.defaultAction === undefined || v.defaultAction === '') && rawSyscalls.length === 0) return undefined;
  const defaultAction = oneOf(v.defaultAction, SECCOMP_ACTIONS, 'defaultAction', 'defaultAction');
  const architectures = strings(v.architectures, 'architectures');
  const archMapGiven = Array.isArray(v.archMap) && v.archMap.length > 0;
  if (architectures && architectures.length > 0 && archMapGiven) {
    bad(
      `both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'`,
    );
  }
  for (const a of architectures ?? []) oneOf(a, SECCOMP_ARCHES, 'architecture', 'architectures');
  const profile: SeccompProfile = { defaultAction };
  const de = errno(v.defaultErrnoRet, 'defaultErrnoRet');
  if (de !== undefined) profile.defaultErrnoRet = de;
  if (architectures) profile.architectures = architectures;
  if (v.archMap !== undefined && v.archMap !== null) {
    if (!Array.isArray(v.archMap)) bad('archMap must be a list');
    profile.archMap = v.archMap.map((m, i) => {
      if (!isObject(m)) bad(`archMap[${i}] must be an object`);
      const architecture = oneOf(m.architecture, SECCOMP_ARCHES, 'architecture', `archMap[${i}]`);
      const subs = strings(m.subArchitectures, `archMap[${i}].subArchitectures`) ?? [];
      for (const s of subs) oneOf(s, SECCOMP_ARCHES, 'architecture', `archMap[${i}].subArchitectures`);
      return { architecture, subArchitectures: subs };
    });
  }
  const flags = strings(v.flags, 'flags');
  for (const f of flags ?? []) oneOf(f, SECCOMP_FLAGS, 'flag', 'flags');
  if (flags) profile.flags = flags;
  profile.syscalls = rawSyscalls.map((s, i) => syscall(s, `syscalls[${i}]`));
  return profile;
}

/** What a profile's includes/excludes are decided against. */
export interface ProfileContext {
  /** The container's bounding set, `CAP_*` names. */
  capabilities: readonly string[];
  /** Node's process.arch of the host (the container runs the host's arch). */
  arch: string;
  /** The host kernel's [version, major revision], e.g. [6, 1]. */
  kernel: readonly [number, number];
}

function kernelAtLeast(have: readonly [number, number], want: string): boolean {
  const [k, m] = want.split('.').map(Number) as [number, number];
  return have[0] > k || (have[0] === k && have[1] >= m);
}

/** moby's setupSeccomp: keep the rules whose conditions hold for this container, expand archMap for the host. */
export function resolveProfile(profile: SeccompProfile, ctx: ProfileContext): LinuxSeccomp {
  const arch = NODE_TO_PROFILE_ARCH[ctx.arch] ?? ctx.arch;
  const out: LinuxSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const arches = [...(profile.architectures ?? [])];
  const native = PROFILE_TO_SCMP[arch];
  const entry = profile.archMap?.find((m) => m.architecture === native);
  if (entry) arches.push(entry.architecture, ...(entry.subArchitectures ?? []));
  out.architectures = arches;
  if (profile.flags) out.flags = [...profile.flags];
  const caps = new Set(ctx.capabilities);
  const syscalls: LinuxSyscall[] = [];
  for (const call of profile.syscalls ?? []) {
    const exc = call.excludes;
    if (exc) {
      if (exc.arches?.includes(arch)) continue;
      if (exc.caps?.some((c) => caps.has(c))) continue;
      if (exc.minKernel && kernelAtLeast(ctx.kernel, exc.minKernel)) continue;
    }
    const inc = call.includes;
    if (inc) {
      if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(arch)) continue;
      if (inc.caps?.some((c) => !caps.has(c))) continue;
      if (inc.minKernel && !kernelAtLeast(ctx.kernel, inc.minKernel)) continue;
    }
    const rule: LinuxSyscall = { names: call.names ?? [], action: call.action };
    if (call.errnoRet !== undefined) rule.errnoRet = call.errnoRet;
    if (call.args && call.args.length > 0) rule.args = call.args;
    syscalls.push(rule);
  }
  out.syscalls = syscalls;
  return out;
}

/** The host kernel's "major.minor" from a release string such as "6.1.0-18-amd64". */
export function parseKernelRelease(release: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) throw new InvalidParameter(`failed to parse kernel version "${release}"`);
  return [Number(m[1]), Number(m[2])];
}
