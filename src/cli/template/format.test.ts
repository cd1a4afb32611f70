import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { TemplateError } from './errors.js';
import { finalFormat, isJsonFormat, isTableFormat, renderFormat, renderRows, renderTable } from './format.js';

/** The rows and headers of `docker context ls`, whose outputs (docker 28.2.2) the expectations below are. */
class ContextRow {
  get [Symbol.toStringTag](): string {
    return '*formatter.clientContextContext';
  }
  Name(): string {
    return 'default';
  }
  Description(): string {
    return 'Current DOCKER_HOST based configuration';
  }
  DockerEndpoint(): string {
    return 'unix:///var/run/docker.sock';
  }
  Current(): boolean {
    return true;
  }
  Error(): string {
    return '';
  }
}
const rows = [new ContextRow()];
const headers = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR' };
const failure = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TemplateError);
    assert.ok(e instanceof InvalidParameter, 'a bad --format is an invalid parameter');
    return e.message;
  }
  throw new Error('rendered');
};

describe('format', () => {
  it('recognises table and json formats as docker does', () => {
    assert.equal(isTableFormat('table {{.ID}}'), true);
    assert.equal(isTableFormat('  table {{.ID}}'), false);
    assert.equal(isJsonFormat('json'), true);
    assert.equal(finalFormat('table {{.ID}}\\t{{.Image}}  '), '{{.ID}}\t{{.Image}}');
    assert.equal(finalFormat('json'), '{{json .}}');
  });

  it('table: a header row from the headers, then aligned rows', () => {
    assert.equal(
      renderTable('table {{.Name}}\\t{{.DockerEndpoint}}', rows, headers),
      'NAME      DOCKER ENDPOINT\ndefault   unix:///var/run/docker.sock\n',
    );
    assert.equal(
      renderTable(
        'table {{.Name}}{{if .Current}} *{{end}}\\t{{.Description}}\\t{{.DockerEndpoint}}\\t{{.Error}}',
        rows,
        headers,
      ),
      'NAME        DESCRIPTION                               DOCKER ENDPOINT               ERROR\n' +
        'default *   Current DOCKER_HOST based configuration   unix:///var/run/docker.sock   \n',
    );
  });

  it('table header: unknown fields are <no value>, docker header functions keep titles', () => {
    assert.equal(
      renderTable('table {{.Name}}\\t{{.Current}}\\t{{.Description}}', rows, headers),
      'NAME      <no value>   DESCRIPTION\ndefault   true         Current DOCKER_HOST based configuration\n',
    );
    assert.equal(
      renderTable('table {{json .Name}}\\t{{upper .Name}}|{{pad .Name 1 1}}|{{truncate .Name 3}}', rows, headers),
      'NAME        NAME| NAME |NAME\n"default"   DEFAULT| default |def\n',
    );
    assert.equal(
      renderTable('table {{.Name}}\\t{{split .Name "a"}}\\t{{title .Name}}', rows, headers),
      'NAME      NAME        NAME\ndefault   [def ult]   Default\n',
    );
    assert.equal(
      renderTable('table {{if .Current}}yes{{end}}\\t{{.Name}}', rows, headers),
      '          NAME\nyes       default\n',
    );
  });

  it('table: a header cut short by an error keeps what it wrote; rows without any still get the header', () => {
    // The header map has no Current, and docker's header json takes a string: the header stops after "NAME\t".
    assert.equal(
      renderTable('table {{.Name}}\\t{{json .Current}}\\t{{.Description}}', rows, headers),
      'NAME      \ndefault   true      Current DOCKER_HOST based configuration\n',
    );
    assert.equal(renderTable('table {{.Name}}\\t{{.Description}}', [], headers), 'NAME      DESCRIPTION\n');
  });

  it('json: one JSON object per row, from the exported methods, keys sorted', () => {
    assert.equal(
      renderRows('json', rows),
      '{"Current":true,"Description":"Current DOCKER_HOST based configuration","DockerEndpoint":"unix:///var/run/docker.sock","Error":"","Name":"default"}\n',
    );
  });

  it('raw templates run once per row, each followed by a newline', () => {
    assert.equal(
      renderRows('{{.Name}}: {{.DockerEndpoint}}', [...rows, ...rows]),
      'default: unix:///var/run/docker.sock\n'.repeat(2),
    );
    assert.equal(renderFormat('  table {{.Name}}  ', rows, headers), 'table default\n');
    assert.equal(renderFormat('a\\tb', rows, headers), 'a\tb\n');
  });

  it('errors read as docker prints them', () => {
    assert.equal(
      failure(() => renderRows('{{.Foo}}', rows)),
      'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.clientContextContext',
    );
    assert.equal(
      failure(() => renderTable('table {{foo}}', rows, headers)),
      'template parsing error: template: :1: function "foo" not defined',
    );
    assert.equal(
      failure(() => renderTable('table {{.Name}}\\t{{.Label "x"}}', rows, headers)),
      'template parsing error: template: :1:12: executing "" at <.Label>: can\'t evaluate field Label in type *formatter.clientContextContext',
    );
  });
});
