// The engine's event bus: every container/image/exec action is published here; `/events` and the engine's own
// subscribers (restart policies, health) read it. A bounded history serves `since` (moby keeps 256 events too).
import type { EventMessage } from '../api/index.js';

export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon';

export type Listener = (e: EventMessage) => void;

const HISTORY = 256;

export class EventBus {
  private readonly history: EventMessage[] = [];
  private readonly listeners = new Set<Listener>();
  private lastNs = 0;

  publish(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EventMessage {
    // Wall-clock milliseconds, kept strictly increasing so `since`/`until` bounds order events as they happened.
    const nowNs = BigInt(Math.max(Date.now() * 1_000_000, this.lastNs + 1000));
    this.lastNs = Number(nowNs);
    const msg: EventMessage = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    if (type === 'container' || type === 'image') {
      msg.status = action;
      msg.id = id;
      if (attributes.image !== undefined) msg.from = attributes.image;
    }
    this.history.push(msg);
    if (this.history.length > HISTORY) this.history.shift();
    for (const l of this.listeners) {
      try {
        l(msg);
      } catch {
        // a subscriber's fault is its own; the bus goes on
      }
    }
    return msg;
  }

  /** Past events (oldest first) with timeNano ≥ sinceNs. */
  since(sinceNs: number): EventMessage[] {
    return this.history.filter((e) => e.timeNano >= sinceNs);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** Docker's event filters: container, image, event (action), type, label, and the actor's name. */
export function eventMatches(e: EventMessage, filters: Record<string, string[]>): boolean {
  const attr = e.Actor.Attributes;
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    const any = (pred: (v: string) => boolean) => values.some(pred);
    switch (key) {
      case 'type':
        if (!any((v) => v === e.Type)) return false;
        break;
      case 'event':
        if (!any((v) => v === e.Action || e.Action.startsWith(`${v}:`))) return false;
        break;
      case 'container':
        // FuzzyMatch: the ID or the name, exactly or by prefix.
        if (e.Type !== 'container' || !any((v) => e.Actor.ID.startsWith(v) || (attr.name ?? '').startsWith(v))) {
          return false;
        }
        break;
      case 'image': {
        const name = (e.Type === 'image' ? attr.name : attr.image) ?? '';
        if (!any((v) => [e.Actor.ID, name, stripTag(e.Actor.ID), stripTag(name)].includes(v))) return false;
        break;
      }
      case 'label':
        // Every label filter must match (MatchKVList).
        if (
          !values.every((v) => {
            const eq = v.indexOf('=');
            return eq < 0 ? attr[v] !== undefined : attr[v.slice(0, eq)] === v.slice(eq + 1);
          })
        ) {
          return false;
        }
        break;
      case 'scope':
        if (!any((v) => v === e.scope)) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

/** A reference without its tag or digest, as moby's stripTag (less the docker.io normalisation). */
function stripTag(ref: string): string {
  const name = ref.split('@', 1)[0] ?? ref;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}
