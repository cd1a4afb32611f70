// The Engine API client: system endpoints here, the others grouped by area (client.containers, .images, .exec, .networks,
// .volumes, .registry, .builds).
// Works against any Docker-compatible daemon; the API version is negotiated on first use.
import type { EventMessage, InfoResponse, VersionResponse } from '../api/system.js';
import { Builds } from './build.js';
import { Containers } from './containers.js';
import { Exec } from './exec.js';
import { Images } from './images.js';
import { type JsonStream, jsonStream } from './jsonstream.js';
import { Networks } from './networks.js';
import { Registry } from './registry.js';
import { Volumes } from './volumes.js';
import { encodeFilters, type Filters } from './query.js';
import { optionsFromEnv, type Ping, Transport, type TransportOptions } from './transport.js';
import type { DiskUsage } from './types.js';

export interface EventsOptions {
  /** Unix seconds (may be fractional), an RFC 3339 time, or a duration string (`10m`) as the CLI passes through. */
  since?: string | number;
  until?: string | number;
  filters?: Filters;
  signal?: AbortSignal;
}

export class Client {
  readonly transport: Transport;
  readonly containers: Containers;
  readonly images: Images;
  readonly exec: Exec;
  readonly networks: Networks;
  readonly volumes: Volumes;
  readonly registry: Registry;
  readonly builds: Builds;

  constructor(opts: TransportOptions = {}) {
    this.transport = new Transport(opts);
    this.containers = new Containers(this.transport);
    this.images = new Images(this.transport);
    this.exec = new Exec(this.transport);
    this.networks = new Networks(this.transport);
    this.volumes = new Volumes(this.transport);
    this.registry = new Registry(this.transport);
    this.builds = new Builds(this.transport);
  }

  /** A client configured as the docker CLI configures itself from DOCKER_HOST & co; `overrides` win. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, overrides: TransportOptions = {}): Client {
    const set = Object.entries(overrides).filter(([, v]) => v !== undefined);
    return new Client({ ...optionsFromEnv(env), ...Object.fromEntries(set) });
  }

  /** The daemon's address (`unix:///…`, `tcp://…`). */
  get host(): string {
    return this.transport.host;
  }

  ping(signal?: AbortSignal): Promise<Ping> {
    return this.transport.ping(signal);
  }

  /** The negotiated API version (`1.41` against Docker 20.10). */
  apiVersion(): Promise<string> {
    return this.transport.apiVersion();
  }

  version(): Promise<VersionResponse> {
    return this.transport.json('GET', '/version');
  }

  info(): Promise<InfoResponse> {
    return this.transport.json('GET', '/info');
  }

  df(): Promise<DiskUsage> {
    return this.transport.json('GET', '/system/df');
  }

  /**
   * The daemon's event stream, once it has answered (so events after this resolves are not missed). Iterate it; with
   * `until` it ends by itself, otherwise close() it or abort `signal`.
   */
  async events(opts: EventsOptions = {}): Promise<JsonStream<EventMessage>> {
    const query = {
      since: opts.since === undefined ? undefined : String(opts.since),
      until: opts.until === undefined ? undefined : String(opts.until),
      filters: encodeFilters(opts.filters),
    };
    const res = await this.transport.request('GET', '/events', { query, signal: opts.signal });
    return jsonStream<EventMessage>(res, opts.signal);
  }

  /** Closes idle connections (streams still open stay open). */
  close(): void {
    this.transport.close();
  }
}
