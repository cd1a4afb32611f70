// berth history: the layers of an image, newest first (IMAGE CREATED CREATED BY SIZE COMMENT).
import type { ParsedFlags } from '../args/index.js';
import type { HistoryItem } from '../../api/images.js';
import { renderFormat } from '../template/index.js';
import type { Cli } from './cli.js';
import { FormatContext, headers } from './format-context.js';
import { ellipsis, humanSize, timeAgo, truncateId } from './humanize.js';

const HUMAN_TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const PLAIN_TABLE = 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const HEADERS = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** time.Format(time.RFC3339) in the local zone. */
function rfc3339(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  if (off === 0) return `${local}Z`;
  const abs = Math.abs(off);
  return `${local}${off < 0 ? '-' : '+'}${String(Math.trunc(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

class HistoryContext extends FormatContext {
  readonly #h: HistoryItem;
  readonly #trunc: boolean;
  readonly #human: boolean;
  constructor(h: HistoryItem, trunc: boolean, human: boolean) {
    super();
    this.#h = h;
    this.#trunc = trunc;
    this.#human = human;
  }
  get [Symbol.toStringTag](): string {
    return '*image.historyContext';
  }
  ID(): string {
    return this.#trunc ? truncateId(this.#h.Id) : this.#h.Id;
  }
  CreatedAt(): string {
    return rfc3339(this.#h.Created);
  }
  CreatedSince(): string {
    return this.#human ? timeAgo(this.#h.Created) : this.CreatedAt();
  }
  CreatedBy(): string {
    const by = this.#h.CreatedBy.replaceAll('\t', ' ');
    return this.#trunc ? ellipsis(by, 45) : by;
  }
  Size(): string {
    return this.#human ? humanSize(this.#h.Size, 3) : String(this.#h.Size);
  }
  Comment(): string {
    return this.#h.Comment;
  }
}

export default async function history(cli: Cli, flags: ParsedFlags): Promise<number> {
  const items = await cli.client().images.history(flags.args[0]!);
  const human = flags.bool('human');
  let format = flags.string('format') || 'table';
  if (format === 'table') format = flags.bool('quiet') ? '{{.ID}}' : human ? HUMAN_TABLE : PLAIN_TABLE;
  const trunc = !flags.bool('no-trunc');
  const rows = items.map((h) => new HistoryContext(h, trunc, human));
  cli.out(renderFormat(format, rows, headers(HEADERS)));
  return 0;
}
