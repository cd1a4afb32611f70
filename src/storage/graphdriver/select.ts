// Choosing the graph driver, as dockerd's --storage-driver: an explicit choice is honoured or fails with the reason;
// otherwise the driver already holding layers under the root is kept, else overlay2, falling back to vfs.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { InvalidParameter, NotImplemented } from '../../errdefs/index.js';
import type { DriverName, GraphDriver } from './driver.js';
import type { IdmapMounter } from './idmap-mount.js';
import { Overlay2Driver } from './overlay2.js';
import { VfsDriver } from './vfs.js';

export const DRIVER_NAMES: readonly DriverName[] = ['overlay2', 'vfs'];

export interface SelectedDriver {
  driver: GraphDriver;
  /** Why the default was not used (overlay2's failure), for the daemon's log. */
  fallbackReason?: string;
}

async function hasLayers(root: string, name: DriverName): Promise<boolean> {
  const dir = name === 'vfs' ? path.join(root, 'vfs', 'dir') : path.join(root, 'overlay2');
  try {
    return (await readdir(dir)).some((n) => n !== 'l' && !n.startsWith('check-'));
  } catch {
    return false;
  }
}

export interface DriverOptions {
  /** How overlay2 mounts idmapped views of layers (containers under --userns-remap). */
  idmapMount?: IdmapMounter;
}

function open(root: string, name: DriverName, opts: DriverOptions): Promise<GraphDriver> {
  return name === 'overlay2' ? Overlay2Driver.init(root, opts) : VfsDriver.init(root);
}

/** Opens the graph driver for the layers under `root` (e.g. /var/lib/berth/layers). */
export async function selectDriver(
  root: string,
  preferred?: string,
  opts: DriverOptions = {},
): Promise<SelectedDriver> {
  if (preferred !== undefined && preferred !== '') {
    if (!DRIVER_NAMES.includes(preferred as DriverName)) {
      throw new InvalidParameter(
        `unknown storage driver ${JSON.stringify(preferred)} (supported: ${DRIVER_NAMES.join(', ')})`,
      );
    }
    return { driver: await open(root, preferred as DriverName, opts) };
  }
  const prior: DriverName[] = [];
  for (const name of DRIVER_NAMES) if (await hasLayers(root, name)) prior.push(name);
  if (prior.length === 1) return { driver: await open(root, prior[0]!, opts) };
  if (prior.length > 1) {
    throw new InvalidParameter(
      `${root} contains layers of several storage drivers (${prior.join(', ')}); choose one with --storage-driver`,
    );
  }
  try {
    return { driver: await Overlay2Driver.init(root, opts) };
  } catch (e) {
    if (!(e instanceof NotImplemented)) throw e;
    return { driver: await VfsDriver.init(root), fallbackReason: e.message };
  }
}
