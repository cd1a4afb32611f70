// parseDockerfile, expandInstruction and the typed views: forms, directives, heredocs, mounts and Docker's errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import {
  DockerfileParseError,
  expandInstruction,
  parseArg,
  parseCopyFlags,
  parseDockerfile,
  parseEnvPairs,
  parseFrom,
  parseHealthcheck,
  parseRunMounts,
} from './index.js';

const only = (text: string) => {
  const d = parseDockerfile(`FROM busybox\n${text}`);
  const ins = d.stages[0]?.instructions[0];
  assert.ok(ins);
  return ins;
};
const fails = (text: string, message: string, line?: number) =>
  assert.throws(
    () => parseDockerfile(text),
    (e: unknown) => {
      assert.ok(isInvalidParameter(e));
      assert.equal((e as Error).message, message);
      if (line !== undefined) assert.equal(e instanceof DockerfileParseError && e.line, line);
      return true;
    },
  );

test('directives only at the top; escape changes continuation and escaping', () => {
  const d = parseDockerfile('# escape=`\n# syntax=docker/dockerfile:1\nFROM x\nRUN dir c:\\ `\n  && echo hi\n');
  assert.deepEqual(d.directives, { escape: '`', syntax: 'docker/dockerfile:1' });
  assert.equal(d.stages[0]?.instructions[0]?.shellForm, 'dir c:\\   && echo hi');
  const late = parseDockerfile('FROM x\n# escape=`\nRUN a \\\n b\n');
  assert.equal(late.directives.escape, '\\');
  assert.equal(late.stages[0]?.instructions[0]?.shellForm, 'a  b');
  fails('# escape=x\nFROM a', "invalid escape token 'x' does not match ` or \\", 1);
  fails('# escape=`\n# escape=\\\nFROM a', 'only one escape parser directive can be used', 2);
});

test('continuations skip comments and empty lines; CRLF and BOM are accepted; lines are counted', () => {
  const d = parseDockerfile('\ufeffFROM x\r\nRUN a \\\r\n# comment\r\n\r\n  b\r\nUSER me\r\n');
  const [run, user] = d.stages[0]?.instructions ?? [];
  assert.equal(run?.shellForm, 'a   b');
  assert.equal(run?.line, 2);
  assert.equal(user?.line, 6);
  assert.equal(user?.args[0], 'me');
});

test('exec and shell forms', () => {
  assert.deepEqual(only('CMD ["echo", "a b"]').args, ['echo', 'a b']);
  assert.equal(only('CMD ["echo", "a b"]').json, true);
  assert.equal(only('ENTRYPOINT echo hi').shellForm, 'echo hi');
  assert.equal(only('RUN [ "a" ] trailing').json, true);
  assert.equal(only('RUN [not json').shellForm, '[not json');
  assert.deepEqual(only('COPY ["a b", "/c"]').args, ['a b', '/c']);
  assert.deepEqual(only('VOLUME /a /b').args, ['/a', '/b']);
  assert.deepEqual(only('SHELL ["/bin/bash", "-c"]').args, ['/bin/bash', '-c']);
  fails('FROM x\nSHELL /bin/sh', 'dockerfile parse error line 2: SHELL requires the arguments to be in JSON form', 2);
  fails('FROM x\nCMD ["a", 1]', 'when using JSON array syntax, arrays must be comprised of strings only', 2);
});

test('ENV and LABEL in both forms; ARG with and without defaults', () => {
  const env = only('ENV A=1 B="x y" C=a\\ b');
  assert.deepEqual(env.pairs, [
    ['A', '1'],
    ['B', '"x y"'],
    ['C', 'a\\ b'],
  ]);
  assert.deepEqual(parseEnvPairs(env), [
    ['A', '1'],
    ['B', 'x y'],
    ['C', 'a b'],
  ]);
  assert.deepEqual(parseEnvPairs(only('ENV PATH /usr/bin:$PATH extra')), [['PATH', '/usr/bin:$PATH extra']]);
  assert.deepEqual(only('LABEL "com.x"="v 1"').pairs, [['"com.x"', '"v 1"']]);
  assert.deepEqual(parseArg(only('ARG A B=2 C="3 4"')), [
    { name: 'A' },
    { name: 'B', default: '2' },
    { name: 'C', default: '3 4' },
  ]);
  fails('FROM x\nENV A', 'ENV must have two arguments', 2);
  fails('FROM x\nENV A=1 B', `Syntax error - can't find = in "B". Must be of the form: name=value`);
  fails('FROM x\nARG =1', 'dockerfile parse error line 2: ARG names can not be blank');
});

test('stages, meta args and FROM', () => {
  const d = parseDockerfile(
    'ARG V=1\nFROM --platform=linux/amd64 img:$V AS Base\nRUN a\nFROM base\nCOPY --from=base /a /b\n',
  );
  assert.equal(d.metaArgs.length, 1);
  assert.equal(d.stages.length, 2);
  assert.equal(d.stages[0]?.name, 'base');
  assert.deepEqual(parseFrom(d.stages[0]?.from ?? assert.fail()), {
    image: 'img:$V',
    as: 'base',
    platform: 'linux/amd64',
  });
  const from = expandInstruction(d.stages[0]?.from ?? assert.fail(), new Map([['V', '2']]), '\\');
  assert.equal(parseFrom(from).image, 'img:2');
  assert.deepEqual(parseCopyFlags(d.stages[1]?.instructions[0]?.flags ?? {}), { from: 'base' });
  fails('RUN a\nFROM x', 'no build stage in current context', 1);
  fails(
    'FROM a AS 1x',
    'dockerfile parse error line 1: invalid name for build stage: "1x", name can\'t start with a number or contain symbols',
  );
  fails('FROM a b', 'dockerfile parse error line 1: FROM requires either one or three arguments');
});

test('errors name the line as Docker 20.10 does', () => {
  fails('FROM a\n\nFROMM b', 'dockerfile parse error line 3: unknown instruction: FROMM', 3);
  fails('FROM a\nCOPY --foo=1 a b', 'dockerfile parse error line 2: Unknown flag: foo', 2);
  fails('FROM a\nCOPY --chown a b', 'dockerfile parse error line 2: Missing a value on flag: chown');
  fails('FROM a\nADD --from=x a b', 'dockerfile parse error line 2: Unknown flag: from');
  fails(
    'FROM a\nCOPY a',
    'dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined.',
  );
  fails('FROM a\nWORKDIR', 'dockerfile parse error line 2: WORKDIR requires exactly one argument');
  fails('FROM a\nEXPOSE', 'dockerfile parse error line 2: EXPOSE requires at least one argument');
  fails('# just a comment\n', 'file with no instructions');
  fails(
    'FROM a\nONBUILD ONBUILD RUN x',
    "dockerfile parse error line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
  );
  fails('FROM a\nONBUILD FROM b', "dockerfile parse error line 2: FROM isn't allowed as an ONBUILD trigger");
  fails('FROM a\nRUN --mount=type=cache,target=/x --bogus x', 'dockerfile parse error line 2: Unknown flag: bogus');
});

test('ONBUILD keeps its trigger, parsed', () => {
  const ins = only('ONBUILD COPY --chown=1 a /b');
  assert.equal(ins.trigger, 'COPY --chown=1 a /b');
  assert.equal(ins.onbuild?.keyword, 'COPY');
  assert.deepEqual(ins.onbuild?.flags, { chown: ['1'] });
});

test("HEALTHCHECK forms, options in nanoseconds, Docker's errors", () => {
  const hc = parseHealthcheck(only('HEALTHCHECK --interval=1m30s --timeout=500ms --retries=3 CMD curl -f x || exit 1'));
  assert.deepEqual(hc, { test: ['CMD-SHELL', 'curl -f x || exit 1'], interval: 90e9, timeout: 500e6, retries: 3 });
  assert.deepEqual(parseHealthcheck(only('HEALTHCHECK CMD ["true"]')).test, ['CMD', 'true']);
  assert.deepEqual(parseHealthcheck(only('HEALTHCHECK NONE')).test, ['NONE']);
  fails(
    'FROM a\nHEALTHCHECK --interval=0s CMD x',
    'dockerfile parse error line 2: Interval "interval" cannot be less than 1ms',
  );
  fails('FROM a\nHEALTHCHECK --retries=0 CMD x', 'dockerfile parse error line 2: --retries must be at least 1 (not 0)');
  fails('FROM a\nHEALTHCHECK FOO x', 'dockerfile parse error line 2: Unknown type "FOO" in HEALTHCHECK (try CMD)');
  fails('FROM a\nHEALTHCHECK NONE x', 'dockerfile parse error line 2: HEALTHCHECK NONE takes no arguments');
  fails('FROM a\nHEALTHCHECK --interval=5 CMD x', 'dockerfile parse error line 2: time: missing unit in duration "5"');
});

test('here-documents: several per line, quoted delimiters, <<- tab stripping, COPY bodies expanded', () => {
  const d = parseDockerfile(
    'FROM a\nRUN <<A cat - <<-"B"\necho $X\nA\n\tliteral $X\n\tB\nCOPY <<EOF /dst\nv=$X\nEOF\nUSER u\n',
  );
  const [run, copy, user] = d.stages[0]?.instructions ?? [];
  assert.deepEqual(run?.heredocs, [
    { name: 'A', content: 'echo $X\n', expand: true, chomp: false },
    { name: 'B', content: 'literal $X\n', expand: false, chomp: true },
  ]);
  assert.equal(run?.original, 'RUN <<A cat - <<-"B"');
  assert.equal(user?.line, 10);
  const expanded = expandInstruction(copy ?? assert.fail(), new Map([['X', '"1"']]), '\\');
  assert.equal(expanded.heredocs[0]?.content, 'v="1"\n');
  assert.deepEqual(only('RUN ["echo", "<<EOF"]').heredocs, []);
  fails('FROM a\nRUN <<EOF\nno end\n', 'unterminated heredoc', 2);
});

test('expandInstruction substitutes where Docker does and nowhere else', () => {
  const env = new Map([
    ['P', '80 443'],
    ['D', '/data'],
    ['U', 'me'],
  ]);
  const ex = (t: string) => expandInstruction(only(t), env, '\\');
  assert.deepEqual(ex('EXPOSE $P 8080').args, ['80', '443', '8080']);
  assert.deepEqual(ex('COPY --chown=$U a $D/').args, ['a', '/data/']);
  assert.deepEqual(ex('COPY --chown=$U a $D/').flags.chown, ['me']);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile syntax under test
  assert.deepEqual(ex('WORKDIR ${D:-/x}/w').args, ['/data/w']);
  assert.deepEqual(ex('ENV A="$U x" $U=1').pairs, [
    ['A', 'me x'],
    ['me', '1'],
  ]);
  assert.deepEqual(parseEnvPairs(ex('ENV A="$U x"')), [['A', 'me x']]);
  assert.deepEqual(parseArg(ex('ARG X=$D')), [{ name: 'X', default: '/data' }]);
  assert.equal(ex('RUN echo $D').shellForm, 'echo $D');
  assert.deepEqual(ex('CMD ["$D"]').args, ['$D']);
  assert.deepEqual(ex('RUN --mount=type=cache,target=$D x').flags.mount, ['type=cache,target=/data']);
});

test("RUN --mount: BuildKit's keys, defaults and errors", () => {
  const flags = only(
    'RUN --mount=type=cache,target=/root/.cache/ --mount=type=cache,id=go,target=/go,sharing=locked,mode=0700,uid=1 ' +
      '--mount=type=secret,id=tok --mount=type=bind,from=build,source=/out,target=/in,rw --mount=type=tmpfs,target=/t,size=64m ' +
      '--mount=target=/ctx --mount=type=ssh x',
  ).flags;
  assert.deepEqual(parseRunMounts(flags), [
    { type: 'cache', target: '/root/.cache/', id: '/root/.cache', sharing: 'shared', readonly: false },
    { type: 'cache', target: '/go', id: 'go', sharing: 'locked', mode: 0o700, uid: 1, readonly: false },
    { type: 'secret', target: '/run/secrets/tok', id: 'tok', readonly: true, required: false },
    { type: 'bind', target: '/in', from: 'build', source: '/out', readonly: false },
    { type: 'tmpfs', target: '/t', size: 64 * 1024 * 1024, readonly: false },
    { type: 'bind', target: '/ctx', readonly: true },
    { type: 'ssh', target: '', id: 'default', readonly: true, required: false },
  ]);
  const bad = (m: string, message: string) =>
    assert.throws(
      () => parseRunMounts({ mount: [m] }),
      (e: unknown) => isInvalidParameter(e) && (e as Error).message === message,
    );
  bad('type=nfs,target=/x', 'unsupported mount type "nfs"');
  bad('type=bind,target=/x,mode=0755', 'mode not allowed for "bind" type mounts');
  bad('type=bind,target=/x,sharing=locked', 'invalid cache sharing set for bind mount');
  bad('type=secret', 'invalid secret mount. one of source, target required');
  bad('type=cache,target=/x,bogus=1', "unexpected key 'bogus' in 'bogus=1'");
  bad('type=cache,target=/x,size=1', "unexpected key 'size' for mount type 'cache'");
  bad('type=cache,target', "invalid field 'target' must be a key=value pair");
});

test('COPY flags: --chmod octal, --link boolean', () => {
  assert.deepEqual(parseCopyFlags(only('COPY --chmod=755 --link a /b').flags), { chmod: 0o755, link: true });
  assert.throws(() => parseCopyFlags({ chmod: ['rwx'] }), isInvalidParameter);
  fails(
    'FROM a\nCOPY --link=maybe a b',
    'dockerfile parse error line 2: Expecting boolean value for flag link, not: maybe',
  );
});
