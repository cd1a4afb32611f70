// LinuxResources → cgroup v2 control files, following runc's libcontainer/cgroups/fs2 rules and write order
// (pids, memory, io, cpu, cpuset, devices, unified), with runc's v1→v2 value conversions.
import { InvalidParameter, NotImplemented } from '../../errdefs/index.js';
import type { CgroupFs } from '../../sys/index.js';
import type { LinuxResources } from '../spec.js';
import { compileDeviceFilter, encodeProgram } from './device-filter.js';
import { tryWrite, write, writeError } from './files.js';

const set = (n: number | undefined): n is number => n !== undefined && n !== 0;

/** cpu.shares [2, 262144] → cpu.weight [1, 10000] (runc's linear mapping); 0 = unset. */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** blkio.weight [10, 1000] → io.weight [1, 10000]; 0 = unset. */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return Math.floor(1 + ((weight - 10) * 9999) / 990);
}

/**
 * OCI swap is memory+swap (v1 semantics); v2's memory.swap.max is swap alone. Returns the number to write,
 * -1 for "max", 0 for "unset" (runc's ConvertMemorySwapToCgroupV2Value).
 */
export function memorySwapToV2(swap: number, memory: number): number {
  if (memory === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  if (memory === 0 || memory === -1) throw new InvalidParameter('unable to set swap limit without memory limit');
  if (memory < 0) throw new InvalidParameter(`invalid memory value: ${memory}`);
  if (swap < memory) throw new InvalidParameter('memory+swap limit should be >= memory limit');
  return swap - memory;
}

/** 0 → undefined (not set), -1 → "max", else the number. */
const limitStr = (n: number | undefined) => (n === undefined || n === 0 ? undefined : n === -1 ? 'max' : String(n));

export async function applyV2(fs: CgroupFs, dir: string, r: LinuxResources): Promise<void> {
  if (r.pids) await write(fs, `${dir}/pids.max`, r.pids.limit > 0 ? String(r.pids.limit) : 'max');
  await applyMemory(fs, dir, r);
  await applyIo(fs, dir, r);
  await applyCpu(fs, dir, r);
  if (r.cpu?.cpus) await write(fs, `${dir}/cpuset.cpus`, r.cpu.cpus);
  if (r.cpu?.mems) await write(fs, `${dir}/cpuset.mems`, r.cpu.mems);
  // cgroup v2 has no devices.* files: the rules become a BPF_PROG_TYPE_CGROUP_DEVICE program (runc's devicefilter).
  if (r.devices) await fs.setDeviceFilter(dir, encodeProgram(compileDeviceFilter(r.devices)));
  for (const [key, value] of Object.entries(r.unified ?? {})) {
    if (key === '' || key.includes('/') || key.startsWith('.') || !key.includes('.')) {
      throw new InvalidParameter(`cgroup: invalid unified resource key ${JSON.stringify(key)}`);
    }
    await write(fs, `${dir}/${key}`, value);
  }
}

async function applyMemory(fs: CgroupFs, dir: string, r: LinuxResources): Promise<void> {
  const m = r.memory;
  if (!m || (!set(m.limit) && !set(m.swap) && !set(m.reservation))) return;
  // swappiness, kernel memory and disableOOMKiller have no v2 equivalent: ignored, as runc does.
  const limit = m.limit ?? 0;
  const swap = memorySwapToV2(m.swap ?? 0, limit);
  let swapStr = limitStr(swap);
  if (swapStr === undefined && swap === 0 && set(m.swap)) swapStr = '0'; // swap == memory: no swap at all
  if (swapStr !== undefined) {
    const code = await tryWrite(fs, `${dir}/memory.swap.max`, swapStr);
    // Without swap accounting, "no limit" and "no swap" already hold.
    if (code !== undefined && !(code === 'ENOENT' && (swapStr === 'max' || swapStr === '0'))) {
      throw writeError(`${dir}/memory.swap.max`, swapStr, code);
    }
  }
  const max = limitStr(limit);
  if (max !== undefined) await write(fs, `${dir}/memory.max`, max);
  const low = limitStr(m.reservation);
  if (low !== undefined) await write(fs, `${dir}/memory.low`, low);
}

/** io.bfq.weight takes the blkio value as is; io.weight takes the converted one; neither file: unsupported, skip. */
async function applyIo(fs: CgroupFs, dir: string, r: LinuxResources): Promise<void> {
  const weight = r.blockIO?.weight;
  if (!set(weight)) return;
  const attempts: [string, string][] = [
    [`${dir}/io.bfq.weight`, String(weight)],
    [`${dir}/io.weight`, `default ${blkioWeightToIoWeight(weight)}`],
  ];
  for (const [file, value] of attempts) {
    const code = await tryWrite(fs, file, value);
    if (code === undefined) return;
    if (code !== 'ENOENT') throw writeError(file, value, code);
  }
}

async function applyCpu(fs: CgroupFs, dir: string, r: LinuxResources): Promise<void> {
  const c = r.cpu;
  if (!c) return;
  if (set(c.realtimePeriod) || set(c.realtimeRuntime)) {
    throw new NotImplemented('cgroup: realtime CPU scheduling limits are not supported on cgroup v2');
  }
  if (set(c.shares)) await write(fs, `${dir}/cpu.weight`, String(cpuSharesToWeight(c.shares)));
  if (set(c.quota) || set(c.period)) {
    let max = c.quota !== undefined && c.quota > 0 ? String(c.quota) : 'max';
    if (set(c.period)) max += ` ${c.period}`;
    await write(fs, `${dir}/cpu.max`, max);
  }
}
