import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderFormat } from '../template/index.js';
import { headers } from './format-context.js';
import { SEARCH_HEADERS, SearchContext } from './search-context.js';

const results = [
  {
    name: 'busybox',
    description: 'Busybox base image.\nWith a second line that makes it longer than 45 columns',
    star_count: 3400,
    is_official: true,
    is_automated: false,
  },
  { name: 'me/tool', description: 'a tool', star_count: 0, is_official: false, is_automated: false },
];
const DEFAULT = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';

test("search's table: one-line descriptions cut to 45 columns, [OK] for official images", () => {
  const rows = (trunc: boolean) => results.map((r) => new SearchContext(r, trunc));
  assert.equal(
    renderFormat(DEFAULT, rows(true), headers(SEARCH_HEADERS)),
    'NAME      DESCRIPTION                                     STARS     OFFICIAL\n' +
      'busybox   Busybox base image. With a second line that …   3400      [OK]\n' +
      'me/tool   a tool                                          0         \n',
  );
  assert.match(renderFormat('{{.Description}}', rows(false), {}), /makes it longer than 45 columns\n/);
});

test('search --format json gives the fields with booleans as "true"/"false"', () => {
  assert.equal(
    renderFormat('json', [new SearchContext(results[1]!, true)], {}),
    '{"Description":"a tool","IsOfficial":"false","Name":"me/tool","StarCount":"0"}\n',
  );
});
