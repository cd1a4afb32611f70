// Idmapped bind mounts of layer directories (for containers under --userns-remap), made by berth-helper's
// `idmap-mount`: Node cannot create the user namespace the kernel's mount_setattr(MOUNT_ATTR_IDMAP) takes.
import { execFile } from 'node:child_process';
import { System } from '../../errdefs/index.js';
import { type IdentityMapping, idMapText } from '../../lib/idmap.js';

/** Mounts each `[src, dst]` (dst an existing directory) as an idmapped view of src; one helper process for all. */
export type IdmapMounter = (mapping: IdentityMapping, pairs: readonly (readonly [string, string])[]) => Promise<void>;

export function helperIdmapMounter(helperPath: string): IdmapMounter {
  return (mapping, pairs) =>
    new Promise((resolve, reject) => {
      const args = ['idmap-mount', idMapText(mapping.uidMappings), idMapText(mapping.gidMappings), ...pairs.flat()];
      execFile(helperPath, args, (err, _stdout, stderr) => {
        if (!err) return resolve();
        const text = String(stderr).trim();
        const detail = /^error -?\d+ (.*)$/m.exec(text)?.[1] ?? (text || err.message);
        reject(new System(`idmapped mount of image layers: ${detail}`, { cause: err }));
      });
    });
}
