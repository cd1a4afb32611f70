// `GET /containers/json`: which containers, in which order (newest first), with Docker's filters.
import type { ContainerSummary } from '../../api/index.js';
import { InvalidParameter } from '../../errdefs/index.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord } from './model.js';
import { summaryView } from './views.js';

export interface ListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Record<string, string[]>;
}

const FILTER_KEYS = new Set([
  'ancestor',
  'before',
  'expose',
  'exited',
  'health',
  'id',
  'isolation',
  'is-task',
  'label',
  'name',
  'network',
  'publish',
  'since',
  'status',
  'volume',
]);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);
const HEALTH = new Set(['starting', 'healthy', 'unhealthy', 'none']);

/** moby's filters.Match: a regular expression against the name with and without its slash; a bad one matches nothing. */
function nameMatch(name: string, pattern: string): boolean {
  try {
    const re = new RegExp(pattern);
    return re.test(name) || re.test(`/${name}`);
  } catch {
    return false;
  }
}

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return labels[want] !== undefined;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

export function listContainers(
  store: ContainerStore,
  imageMatches: (rec: ContainerRecord, ref: string) => boolean,
  opts: ListOptions,
): ContainerSummary[] {
  const f = opts.filters ?? {};
  for (const key of Object.keys(f)) {
    if (!FILTER_KEYS.has(key)) throw new InvalidParameter(`invalid filter '${key}'`);
  }
  for (const s of f.status ?? []) {
    if (!STATUSES.has(s)) throw new InvalidParameter(`invalid filter 'status=${s}'`);
  }
  for (const h of f.health ?? []) {
    if (!HEALTH.has(h)) throw new InvalidParameter(`Unrecognised filter value for health: ${h}`);
  }
  let recs = store.all().sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || (a.id < b.id ? 1 : -1));
  const before = f.before?.[0] !== undefined ? store.get(f.before[0]) : undefined;
  const since = f.since?.[0] !== undefined ? store.get(f.since[0]) : undefined;
  // As moby's includeContainerInList: a limit (`ps -n`/`-l`) counts stopped containers too.
  // A status filter implies all; an exited filter does not (moby's foldFilter).
  const all = opts.all || (opts.limit ?? 0) > 0 || (f.status?.length ?? 0) > 0;
  recs = recs.filter((r) => {
    if (!all && r.state.status !== 'running' && r.state.status !== 'paused' && r.state.status !== 'restarting')
      return false;
    if (f.status?.length && !f.status.includes(r.state.status)) return false;
    if (f.id?.length && !f.id.some((v) => r.id.startsWith(v))) return false;
    if (f.name?.length && !f.name.some((v) => nameMatch(r.name, v))) return false;
    if (f.label?.length && !f.label.every((v) => labelMatch(r.config.Labels ?? {}, v))) return false;
    if (f.exited?.length && (r.state.status !== 'exited' || !f.exited.includes(String(r.state.exitCode)))) return false;
    if (f.ancestor?.length && !f.ancestor.some((v) => imageMatches(r, v))) return false;
    if (f.health?.length && !f.health.includes(r.state.health?.Status ?? 'none')) return false;
    // moby: a volume's name (a bind's source) or a mount's destination, exactly.
    if (
      f.volume?.length &&
      !r.mounts.some((m) => f.volume?.some((v) => v === (m.Name || m.Source) || v === m.Destination))
    )
      return false;
    if (before && Date.parse(r.created) >= Date.parse(before.created)) return false;
    if (since && Date.parse(r.created) <= Date.parse(since.created)) return false;
    return true;
  });
  if (opts.limit !== undefined && opts.limit > 0) recs = recs.slice(0, opts.limit);
  return recs.map(summaryView);
}
