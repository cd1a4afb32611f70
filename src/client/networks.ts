// The network endpoints (`/networks/...`), one method each, as moby's client/network_*.go.
import type {
  EndpointSettings,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkPruneResponse,
  NetworkResource,
} from '../api/networks.js';
import { seg } from './path.js';
import { encodeFilters, type Filters } from './query.js';
import { readAll, type Transport } from './transport.js';

export interface NetworkInspectOptions {
  verbose?: boolean;
  scope?: string;
}

export class Networks {
  constructor(private readonly t: Transport) {}

  list(filters?: Filters): Promise<NetworkResource[]> {
    return this.t.json('GET', '/networks', { query: { filters: encodeFilters(filters) } });
  }

  inspect(id: string, opts: NetworkInspectOptions = {}): Promise<NetworkResource> {
    return this.t.json('GET', `/networks/${seg(id)}`, {
      query: { verbose: opts.verbose ? true : undefined, scope: opts.scope || undefined },
    });
  }

  /** The raw JSON of an inspect, for re-indenting as the docker CLI prints it. */
  async inspectRaw(id: string, opts: NetworkInspectOptions = {}): Promise<string> {
    const res = await this.t.request('GET', `/networks/${seg(id)}`, {
      query: { verbose: opts.verbose ? true : undefined, scope: opts.scope || undefined },
    });
    return (await readAll(res)).toString('utf8');
  }

  create(req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    return this.t.json('POST', '/networks/create', { body: req });
  }

  async remove(id: string): Promise<void> {
    await this.t.call('DELETE', `/networks/${seg(id)}`);
  }

  async connect(id: string, container: string, config?: Partial<EndpointSettings>): Promise<void> {
    const body = config ? { Container: container, EndpointConfig: config } : { Container: container };
    await this.t.call('POST', `/networks/${seg(id)}/connect`, { body });
  }

  async disconnect(id: string, container: string, force = false): Promise<void> {
    await this.t.call('POST', `/networks/${seg(id)}/disconnect`, { body: { Container: container, Force: force } });
  }

  prune(filters?: Filters): Promise<NetworkPruneResponse> {
    return this.t.json('POST', '/networks/prune', { query: { filters: encodeFilters(filters) } });
  }
}
