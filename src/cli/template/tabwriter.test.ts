import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlignRight, Debug, TabWriter, alignTable } from './tabwriter.js';

function tab(lines: string[], ...args: ConstructorParameters<typeof TabWriter>): string {
  const w = new TabWriter(...args);
  for (const l of lines) w.write(`${l}\n`);
  return w.flush();
}

describe('tabwriter', () => {
  // The examples of Go's text/tabwriter package, with their documented output.
  it('Example_elastic: b and d sit in the same cell position but in different column blocks', () => {
    assert.equal(
      tab(['a\tb\tc', 'aa\tbb\tcc', 'aaa\t', 'aaaa\tdddd\teeee'], 0, 0, 1, '.', AlignRight | Debug),
      '....a|..b|c\n...aa|.bb|cc\n..aaa|\n.aaaa|.dddd|eeee\n',
    );
  });

  it('Example_trailingTab: text after the last tab is not part of a column', () => {
    assert.equal(
      tab(
        ['a\tb\taligned\t', 'aa\tbb\taligned\t', 'aaa\tbbb\tunaligned', 'aaaa\tbbbb\taligned\t'],
        0,
        0,
        3,
        '-',
        AlignRight | Debug,
      ),
      '------a|------b|---aligned|\n-----aa|-----bb|---aligned|\n----aaa|----bbb|unaligned\n---aaaa|---bbbb|---aligned|\n',
    );
  });

  it('ExampleWriter_Init: tab padding and right alignment', () => {
    const lines = ['a\tb\tc\td\t.', '123\t12345\t1234567\t123456789\t.', ''];
    assert.equal(tab(lines, 0, 8, 0, '\t', 0), 'a\tb\tc\td\t\t.\n123\t12345\t1234567\t123456789\t.\n\n');
    assert.equal(
      tab(lines, 5, 0, 1, ' ', AlignRight),
      '    a     b       c         d.\n  123 12345 1234567 123456789.\n\n',
    );
  });

  // Outputs of `docker context ls --format 'table ...'` (docker 28.2.2), whose rows repeat the header text here.
  it("docker's settings: minwidth 10, padding 3, the last cell unpadded", () => {
    assert.equal(
      alignTable('NAME\tDOCKER ENDPOINT\ndefault\tunix:///var/run/docker.sock\n'),
      'NAME      DOCKER ENDPOINT\ndefault   unix:///var/run/docker.sock\n',
    );
    assert.equal(
      alignTable('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n'),
      'aaaa      bbb       d\naa        b         dd\na         \naa        cccc      eee\n',
    );
  });

  it('a column block ends at a line without a cell in that column', () => {
    const text = 'aaaaaaaaaaaaaaa\tb\tc\nx\ty\nz\tcccccccccccccccccc\td\n';
    assert.equal(
      alignTable(text + text),
      'aaaaaaaaaaaaaaa   b         c\nx                 y\nz                 cccccccccccccccccc   d\n' +
        'aaaaaaaaaaaaaaa   b                    c\nx                 y\nz                 cccccccccccccccccc   d\n',
    );
  });

  it('a line without tabs ends every block', () => {
    const text = 'aaaaaaaaaaaaaaa\tb\tc\nno tabs here\nz\tcccccccccccccccccc\td\n';
    assert.equal(
      alignTable(text + text),
      'aaaaaaaaaaaaaaa   b         c\nno tabs here\nz                 cccccccccccccccccc   d\n' +
        'aaaaaaaaaaaaaaa   b                    c\nno tabs here\nz         cccccccccccccccccc   d\n',
    );
  });

  it('measures wide characters as two cells and empty leading cells as padding', () => {
    assert.equal(alignTable('日本語\tx\nab\ty\n'), '日本語    x\nab        y\n');
    assert.equal(alignTable('\t\tx\na\tb\tc\n'), '                    x\na         b         c\n');
  });

  it('keeps text that is written in pieces', () => {
    const w = new TabWriter(10, 1, 3, ' ', 0);
    for (const piece of ['NA', 'ME\tID', '\nweb', '\t1', '23\n']) w.write(piece);
    assert.equal(w.flush(), 'NAME      ID\nweb       123\n');
  });
});
