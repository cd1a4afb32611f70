// The volume endpoints (`/volumes/...`), one method each, as moby's client/volume_*.go.
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../api/volumes.js';
import { seg } from './path.js';
import { encodeFilters, type Filters } from './query.js';
import { readAll, type Transport } from './transport.js';

export class Volumes {
  constructor(private readonly t: Transport) {}

  list(filters?: Filters): Promise<VolumeListResponse> {
    return this.t.json('GET', '/volumes', { query: { filters: encodeFilters(filters) } });
  }

  inspect(name: string): Promise<Volume> {
    return this.t.json('GET', `/volumes/${seg(name)}`);
  }

  /** The raw JSON of an inspect, for re-indenting as the docker CLI prints it. */
  async inspectRaw(name: string): Promise<string> {
    const res = await this.t.request('GET', `/volumes/${seg(name)}`);
    return (await readAll(res)).toString('utf8');
  }

  create(req: VolumeCreateRequest): Promise<Volume> {
    return this.t.json('POST', '/volumes/create', { body: req });
  }

  async remove(name: string, force = false): Promise<void> {
    await this.t.call('DELETE', `/volumes/${seg(name)}`, { query: { force: force ? true : undefined } });
  }

  prune(filters?: Filters): Promise<VolumePruneResponse> {
    return this.t.json('POST', '/volumes/prune', { query: { filters: encodeFilters(filters) } });
  }
}
