// Go's text/tabwriter (docker/cli's copy, which measures cells with go-runewidth): elastic tabstops over
// tab-terminated cells. Consecutive lines that have a cell in a column form a block and share its width; the text
// after a line's last tab is not part of any column. HTML filtering and escape sequences are not supported.

import { stringWidth } from './runewidth.js';

export const AlignRight = 1 << 2;
export const DiscardEmptyColumns = 1 << 3;
export const TabIndent = 1 << 4;
export const Debug = 1 << 5;

interface Cell {
  text: string;
  /** Display width. */
  width: number;
  /** Terminated by a horizontal tab. */
  htab: boolean;
}

export class TabWriter {
  private out = '';
  /** The current, incomplete cell (Go keeps one buffer and sizes; cells holding their text is simpler in JS). */
  private cell: Cell = { text: '', width: 0, htab: false };
  private lines: Cell[][] = [[]];
  private widths: number[] = [];

  /** As tabwriter.NewWriter(out, minwidth, tabwidth, padding, padchar, flags); docker uses (10, 1, 3, ' ', 0). */
  constructor(
    private readonly minwidth: number,
    private readonly tabwidth: number,
    private readonly padding: number,
    private readonly padchar: string,
    private flags: number,
  ) {
    if (minwidth < 0 || tabwidth < 0 || padding < 0) throw new RangeError('negative minwidth, tabwidth, or padding');
    if (padchar === '\t') this.flags &= ~AlignRight;
  }

  private reset(): void {
    this.cell = { text: '', width: 0, htab: false };
    this.lines = [[]];
    this.widths = [];
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    if (this.padchar === '\t' || useTabs) {
      if (this.tabwidth === 0) return;
      cellw = Math.ceil(cellw / this.tabwidth) * this.tabwidth;
      const n = cellw - textw;
      if (n < 0) throw new Error('internal error');
      this.out += '\t'.repeat(Math.ceil(n / this.tabwidth));
      return;
    }
    this.out += this.padchar.repeat(cellw - textw);
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      let useTabs = (this.flags & TabIndent) !== 0;
      line.forEach((c, j) => {
        if (j > 0 && (this.flags & Debug) !== 0) this.out += '|';
        if (c.text === '') {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, useTabs);
        } else {
          useTabs = false;
          if ((this.flags & AlignRight) === 0) {
            this.out += c.text;
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
          } else {
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
            this.out += c.text;
          }
        }
      });
      if (i + 1 === this.lines.length) this.out += this.cell.text;
      else this.out += '\n';
    }
  }

  /** Formats lines [line0, line1); the widths of the columns to the left are set. */
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= this.lines[current]!.length - 1) continue;
      // A cell in this column starts a block: print the lines before it, then find the block's width.
      this.writeLines(line0, current);
      line0 = current;
      let width = this.minwidth;
      let discardable = true;
      for (; current < line1; current++) {
        const line = this.lines[current]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        width = Math.max(width, c.width + this.padding);
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && (this.flags & DiscardEmptyColumns) !== 0) width = 0;
      this.widths.push(width);
      this.format(line0, current);
      this.widths.pop();
      line0 = current;
    }
    this.writeLines(line0, line1);
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1]!;
    line.push(this.cell);
    this.cell = { text: '', width: 0, htab: false };
    return line.length;
  }

  private flushInternal(): void {
    if (this.cell.text !== '') this.terminateCell(false);
    this.format(0, this.lines.length);
    this.reset();
  }

  /** Buffers text; complete blocks are formatted as soon as a line without tabs ends them. */
  write(text: string): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.cell.text += text.slice(n, i);
      this.cell.width = stringWidth(this.cell.text);
      n = i + 1;
      const ncells = this.terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        if (ch === '\f' || ncells === 1) {
          this.flushInternal();
          if (ch === '\f' && (this.flags & Debug) !== 0) this.out += '---\n';
        }
      }
    }
    this.cell.text += text.slice(n);
  }

  /** Formats everything buffered and returns all output written so far. */
  flush(): string {
    this.flushInternal();
    const out = this.out;
    this.out = '';
    return out;
  }
}

/** Aligns text as docker's `table` formats do: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export function alignTable(text: string): string {
  const w = new TabWriter(10, 1, 3, ' ', 0);
  w.write(text);
  return w.flush();
}
