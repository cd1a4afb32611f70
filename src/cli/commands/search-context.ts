// formatter's searchContext: the fields of `search --format` (Name, Description, StarCount, IsOfficial) over one
// result; the description is one line, cut to 45 columns unless --no-trunc.
import type { SearchResult } from '../../client/index.js';
import { FormatContext } from './format-context.js';
import { ellipsis } from './humanize.js';

export const SEARCH_HEADERS: Record<string, string> = {
  Name: 'NAME',
  Description: 'DESCRIPTION',
  StarCount: 'STARS',
  IsOfficial: 'OFFICIAL',
};

export class SearchContext extends FormatContext {
  readonly #r: SearchResult;
  readonly #trunc: boolean;
  #json = false;

  constructor(r: SearchResult, trunc: boolean) {
    super();
    this.#r = r;
    this.#trunc = trunc;
  }

  get [Symbol.toStringTag](): string {
    return '*registry.searchContext';
  }

  override MarshalJSON(): string {
    this.#json = true;
    return super.MarshalJSON();
  }

  Name(): string {
    return this.#r.name;
  }
  Description(): string {
    const desc = this.#r.description.replaceAll('\n', ' ').replaceAll('\r', ' ');
    return this.#trunc ? ellipsis(desc, 45) : desc;
  }
  StarCount(): string {
    return String(this.#r.star_count);
  }
  /** "[OK]" in a table, true/false in JSON. */
  IsOfficial(): string {
    if (this.#json) return this.#r.is_official ? 'true' : 'false';
    return this.#r.is_official ? '[OK]' : '';
  }
}
