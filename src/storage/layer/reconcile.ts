// What the layer store does on open: finishes or undoes whatever a crash interrupted, so that only complete layers
// (metadata written after their driver data) are loaded, and no driver layer is left that no record names.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../../lib/digest.js';
import type { GraphDriver } from '../graphdriver/index.js';
import { chainIdOf } from './chain.js';
import { isDriverId, type LayerDb, type LayerRecord, type MountRecord } from './layerdb.js';

/** What open found and repaired. */
export interface ReconcileReport {
  /** Layer records dropped (unreadable, driver data missing, or their parent gone), with the reason. */
  droppedLayers: { chainId: string; reason: string }[];
  /** Read-write layer records dropped, with the reason. */
  droppedMounts: { containerId: string; reason: string }[];
  /** Driver layers removed: registers or createRW cut short, removals cut short, layers of dropped records. */
  removedDriverLayers: string[];
  /** Temp files and directories of interrupted metadata writes removed. */
  removedTempFiles: number;
}

export interface Reconciled {
  layers: Map<Digest, LayerRecord>;
  mounts: Map<string, MountRecord>;
  report: ReconcileReport;
}

const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export async function reconcile(db: LayerDb, driver: GraphDriver): Promise<Reconciled> {
  const report: ReconcileReport = {
    droppedLayers: [],
    droppedMounts: [],
    removedDriverLayers: [],
    removedTempFiles: 0,
  };
  const removeDriverLayer = async (id: string) => {
    await driver.remove(id);
    report.removedDriverLayers.push(id);
  };

  // 1. Work in progress: finish removals, drop half-written records, remember creations to check below.
  const intents: string[] = [];
  for (const name of await readdir(db.tmpDir)) {
    const p = join(db.tmpDir, name);
    if (name.startsWith('intent-') && isDriverId(name.slice('intent-'.length))) {
      intents.push(name.slice('intent-'.length));
      continue;
    }
    if (name.startsWith('remove-')) {
      const id = await db.driverIdOf(p);
      if (id !== undefined) await removeDriverLayer(id);
    }
    await rm(p, { recursive: true, force: true });
    report.removedTempFiles++;
  }

  // 2. Layer records: complete, consistent, with their driver data.
  const layers = new Map<Digest, LayerRecord>();
  const dropLayer = async (name: string, reason: string, driverId?: string) => {
    await db.removeRecordDir(join(db.layersDir, name));
    if (driverId !== undefined) await removeDriverLayer(driverId);
    report.droppedLayers.push({ chainId: /^[a-f0-9]{64}$/.test(name) ? `sha256:${name}` : name, reason });
  };
  for (const name of await db.listLayerDirs()) {
    const r = await db.readLayer(name);
    if (!r.ok) {
      await dropLayer(name, r.reason, r.driverId);
      continue;
    }
    const rec = r.record;
    if (chainIdOf(rec.parent, rec.diffId) !== rec.chainId) {
      await dropLayer(name, 'chain ID does not match its parent and diff ID', rec.cacheId);
    } else if (!(await driver.exists(rec.cacheId))) {
      await dropLayer(name, `driver layer ${rec.cacheId} is missing`);
    } else {
      layers.set(rec.chainId, rec);
    }
  }
  // A layer whose parent is gone cannot be mounted: drop it, and its children in turn.
  for (let changed = true; changed; ) {
    changed = false;
    for (const rec of [...layers.values()]) {
      if (rec.parent !== undefined && !layers.has(rec.parent)) {
        layers.delete(rec.chainId);
        await dropLayer(rec.chainId.slice('sha256:'.length), `parent ${rec.parent} is missing`, rec.cacheId);
        changed = true;
      }
    }
  }

  // 3. Read-write layers.
  const mounts = new Map<string, MountRecord>();
  for (const containerId of await db.listMountDirs()) {
    const drop = async (reason: string, driverId?: string) => {
      await db.removeRecordDir(db.mountDir(containerId));
      if (driverId !== undefined) await removeDriverLayer(driverId);
      report.droppedMounts.push({ containerId, reason });
    };
    if (!CONTAINER_ID.test(containerId)) {
      await drop('not a container ID');
      continue;
    }
    const r = await db.readMount(containerId);
    if (!r.ok) await drop(r.reason, r.driverId);
    // createRW writes the record and the driver's directories side by side and clears the intent after both.
    else if (intents.includes(r.record.mountId)) await drop('its creation did not finish', r.record.mountId);
    else if (r.record.parent !== undefined && !layers.has(r.record.parent)) {
      await drop(`image layer ${r.record.parent} is missing`, r.record.mountId);
    } else if (!(await driver.exists(r.record.mountId))) await drop(`driver layer ${r.record.mountId} is missing`);
    else mounts.set(containerId, r.record);
  }

  // 4. Driver layers whose creation never reached a record.
  const named = new Set<string>([
    ...[...layers.values()].map((l) => l.cacheId),
    ...[...mounts.values()].map((m) => m.mountId),
  ]);
  for (const id of intents) {
    if (!named.has(id)) await removeDriverLayer(id);
    await db.clearIntent(id);
    report.removedTempFiles++;
  }
  return { layers, mounts, report };
}
