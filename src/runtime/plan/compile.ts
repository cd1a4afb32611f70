// Compiles an OCI runtime spec into the ordered init plan berth-helper executes. Pure: everything it needs to know
// about the host (cgroup files, bind-mount sources, capabilities) comes in through `CompileContext`.
import { InvalidParameter } from '../../errdefs/index.js';
import { capabilityMask } from '../capabilities.js';
import { MS_REC, MS_SLAVE, propagationFlag } from '../mount-options.js';
import {
  CLONE_NEWCGROUP,
  CLONE_NEWNET,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  namespaceFlag,
} from '../namespaces.js';
import { rlimitNumber, rlimitValue } from '../rlimits.js';
import { seccompFlags, seccompProgram } from '../seccomp/bpf.js';
import type { IdMapping, LinuxSeccomp, Process, Spec } from '../spec.js';
import { type CgroupMountInfo, compileDevices, compileMounts } from './compile-mounts.js';
import type { CreateMode, PlanOp, StdioMode } from './ops.js';

export interface ShimConfig {
  stdio: StdioMode;
  openStdin: boolean;
  socketPath: string;
  exitFile: string;
  log?: { path: string; maxSize: number; maxFiles: number };
  consoleSocket?: string;
  startGate: boolean;
}

export interface CgroupPlacement {
  procsFiles: string[];
  oomCounter?: { path: string; key: string } | undefined;
}

export interface CompileContext {
  rootfs: string;
  shim: ShimConfig;
  cgroup: CgroupPlacement & Omit<CgroupMountInfo, 'privateNamespace'>;
  bindKinds: ReadonlyMap<string, CreateMode>;
  bindSources: ReadonlyMap<string, string>;
  /** Capabilities berth itself holds: a container can never get more (e.g. no CAP_SYS_RESOURCE on some hosts). */
  hostCapabilities: bigint;
}

export function shimOps(shim: ShimConfig): PlanOp[] {
  const ops: PlanOp[] = [
    { op: 'stdio', mode: shim.stdio, openStdin: shim.openStdin },
    { op: 'socket', path: shim.socketPath },
    { op: 'exitFile', path: shim.exitFile },
  ];
  if (shim.log) ops.push({ op: 'log', ...shim.log });
  if (shim.consoleSocket) ops.push({ op: 'consoleSocket', path: shim.consoleSocket });
  if (shim.startGate) ops.push({ op: 'startGate' });
  return ops;
}

export function cgroupOps(cg: CgroupPlacement): PlanOp[] {
  const ops: PlanOp[] = cg.procsFiles.map((path) => ({ op: 'cgroupProcs', path }));
  if (cg.oomCounter) ops.push({ op: 'oomCounter', ...cg.oomCounter });
  return ops;
}

export function compileCreatePlan(spec: Spec, ctx: CompileContext): PlanOp[] {
  const proc = requireProcess(spec);
  const linux = spec.linux ?? {};
  const namespaces = linux.namespaces ?? [];
  let cloneFlags = 0n;
  let unshareFlags = 0n;
  const joins: PlanOp[] = [];
  let joinPid: string | undefined;
  let joinNet: string | undefined;
  const newUser = namespaces.some((n) => n.type === 'user' && !n.path);
  for (const ns of namespaces) {
    const flag = namespaceFlag(ns.type);
    if (ns.path) {
      if (flag === CLONE_NEWPID) joinPid = ns.path;
      // From inside a new user namespace, setns into a network namespace the host's owns fails (EPERM).
      else if (flag === CLONE_NEWNET && newUser) joinNet = ns.path;
      else if (flag === CLONE_NEWUSER) joins.unshift({ op: 'setns', path: ns.path, nstype: Number(flag) });
      else joins.push({ op: 'setns', path: ns.path, nstype: Number(flag) });
    } else if (flag === CLONE_NEWCGROUP || flag === CLONE_NEWTIME) {
      unshareFlags |= flag; // after the cgroup placement, so the namespace is rooted at the container's cgroup
    } else {
      cloneFlags |= flag;
    }
  }
  const has = (type: string) => namespaces.some((n) => n.type === type);
  const userNs = has('user');
  const newUserNs = (cloneFlags & CLONE_NEWUSER) !== 0n;
  if (spec.hostname && !namespaces.some((n) => n.type === 'uts' && !n.path) && !(cloneFlags & CLONE_NEWUTS)) {
    throw new InvalidParameter('unable to set hostname without a private UTS namespace');
  }

  const ops: PlanOp[] = [...shimOps(ctx.shim), ...cgroupOps(ctx.cgroup)];
  if (newUserNs) {
    ops.push({ op: 'uidMap', content: idMap(linux.uidMappings) });
    ops.push({ op: 'gidMap', content: idMap(linux.gidMappings) });
  }
  if (joinPid) ops.push({ op: 'joinPidNs', path: joinPid });
  if (joinNet) ops.push({ op: 'joinNetNs', path: joinNet });
  ops.push({ op: 'clone', flags: cloneFlags });

  // In the child.
  ops.push(...joins);
  if (unshareFlags) ops.push({ op: 'unshare', flags: unshareFlags });
  if (has('mount')) {
    const prop = linux.rootfsPropagation ? propagationFlag(linux.rootfsPropagation) : MS_SLAVE | MS_REC;
    if (prop === undefined) throw new InvalidParameter(`invalid rootfsPropagation "${linux.rootfsPropagation}"`);
    ops.push({ op: 'rootPropagation', flags: prop | MS_REC });
    ops.push({ op: 'rootfs', path: ctx.rootfs });
    ops.push(
      ...compileMounts(spec.mounts ?? [], {
        bindKinds: ctx.bindKinds,
        bindSources: ctx.bindSources,
        cgroup: { ...ctx.cgroup, privateNamespace: (unshareFlags & CLONE_NEWCGROUP) !== 0n },
        sysfsBind: newUserNs && (cloneFlags & CLONE_NEWNET) === 0n,
      }),
    );
    ops.push(...compileDevices(linux.devices ?? [], userNs));
    ops.push({ op: 'pivotRoot' });
  }
  if (proc.terminal) {
    ops.push({ op: 'console', rows: proc.consoleSize?.height ?? 0, cols: proc.consoleSize?.width ?? 0 });
  }
  for (const [key, value] of Object.entries(linux.sysctl ?? {})) ops.push({ op: 'sysctl', key, value });
  for (const path of linux.maskedPaths ?? []) ops.push({ op: 'mask', path });
  for (const path of linux.readonlyPaths ?? []) ops.push({ op: 'readonly', path });
  if (spec.root?.readonly && has('mount')) ops.push({ op: 'readonly', path: '/' });
  // A new network namespace starts with lo down: runc brings it up (its "loopback" network), so berth does too.
  if (namespaces.some((n) => n.type === 'network' && !n.path)) ops.push({ op: 'loopback' });
  if (spec.hostname) ops.push({ op: 'hostname', name: spec.hostname });
  if (spec.domainname) ops.push({ op: 'domainname', name: spec.domainname });
  ops.push(...processOps(proc, ctx.hostCapabilities, linux.seccomp));
  return ops;
}

/** The steps that turn a process into the one the spec describes: limits, identity, privileges, then execve. */
export function processOps(proc: Process, hostCapabilities: bigint, seccomp?: LinuxSeccomp | null): PlanOp[] {
  const ops: PlanOp[] = [];
  for (const r of proc.rlimits ?? []) {
    ops.push({ op: 'rlimit', resource: rlimitNumber(r.type), soft: rlimitValue(r.soft), hard: rlimitValue(r.hard) });
  }
  if (proc.oomScoreAdj !== undefined) ops.push({ op: 'oomScoreAdj', value: proc.oomScoreAdj });
  ops.push({ op: 'chdir', path: proc.cwd || '/' });
  const caps = proc.capabilities ?? {};
  const mask = (names: string[] | undefined) => capabilityMask(names) & hostCapabilities;
  ops.push({ op: 'capBounding', keep: mask(caps.bounding) });
  // The filter goes in as late as it can (runc's order): without no_new_privs loading it needs CAP_SYS_ADMIN, so
  // before the user and capabilities change (the profile must then allow setgroups, setresuid, capset, execve...);
  // with it, right before exec.
  const filter: PlanOp[] = seccomp
    ? [{ op: 'seccomp', program: seccompProgram(seccomp), flags: seccompFlags(seccomp) }]
    : [];
  if (!proc.noNewPrivileges) ops.push(...filter);
  ops.push({ op: 'user', uid: proc.user.uid, gid: proc.user.gid, additionalGids: proc.user.additionalGids ?? [] });
  ops.push({
    op: 'caps',
    effective: mask(caps.effective),
    permitted: mask(caps.permitted),
    inheritable: mask(caps.inheritable),
  });
  // The kernel refuses an ambient capability that is not both permitted and inheritable; runc skips those too.
  ops.push({ op: 'capAmbient', mask: mask(caps.ambient) & mask(caps.permitted) & mask(caps.inheritable) });
  if (proc.noNewPrivileges) ops.push({ op: 'noNewPrivs' }, ...filter);
  // Like runc, the environment is exactly the spec's; the helper searches a default PATH when it has none.
  ops.push({ op: 'env', vars: proc.env ?? [] });
  const args = proc.args ?? [];
  ops.push({ op: 'exec', file: args[0] as string, argv: args });
  return ops;
}

export function requireProcess(spec: Spec): Process {
  const proc = spec.process;
  if (!proc) throw new InvalidParameter('config.json: process is required');
  if (!proc.args || proc.args.length === 0) throw new InvalidParameter('args must not be empty');
  if (!proc.user) throw new InvalidParameter('config.json: process.user is required');
  return proc;
}

function idMap(mappings: IdMapping[] | undefined): string {
  if (!mappings || mappings.length === 0) {
    throw new InvalidParameter('user namespaces need uidMappings and gidMappings');
  }
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}
