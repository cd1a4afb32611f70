// Variable substitution per instruction where Docker applies it: ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL,
// USER, VOLUME, WORKDIR, ARG, and RUN --mount values. RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK/ONBUILD are left to the shell.
import { csvFields, csvJoin } from './csv.js';
import { expandWord, expandWords, lex } from './lex.js';
import type { Heredoc, Instruction } from './types.js';

export function expandInstruction(
  ins: Instruction,
  env: ReadonlyMap<string, string>,
  escapeToken: string,
): Instruction {
  const word = (w: string): string => expandWord(w, env, escapeToken);
  const out: Instruction = { ...ins, flags: { ...ins.flags }, expanded: true };
  const flag = (name: string): void => {
    const v = ins.flags[name];
    if (v) out.flags[name] = v.map(word);
  };
  switch (ins.keyword) {
    case 'ADD':
    case 'COPY':
      out.args = ins.args.map(word);
      flag('chown');
      flag('chmod');
      flag('from');
      out.heredocs = ins.heredocs.map((h) => expandHeredoc(h, env));
      break;
    case 'ENV':
    case 'LABEL':
      out.pairs = (ins.pairs ?? []).map(([k, v]) => [word(k), word(v)]);
      out.args = out.pairs.flat();
      break;
    case 'EXPOSE':
      // The one instruction where a variable may expand to several words (EXPOSE $PORTS).
      out.args = ins.args.flatMap((a) => expandWords(a, env, escapeToken));
      break;
    case 'FROM':
      out.args = ins.args.map((a, i) => (i === 0 ? word(a) : a));
      flag('platform');
      break;
    case 'STOPSIGNAL':
    case 'USER':
    case 'WORKDIR':
    case 'VOLUME':
      out.args = ins.args.map(word);
      break;
    case 'ARG':
      out.args = ins.args.map((a) => {
        const eq = a.indexOf('=');
        return eq < 0 ? word(a) : `${word(a.slice(0, eq))}=${word(a.slice(eq + 1))}`;
      });
      break;
    case 'RUN':
      if (ins.flags.mount) out.flags.mount = ins.flags.mount.map((m) => expandMount(m, word));
      break;
    default:
      out.expanded = ins.expanded;
      break;
  }
  return out;
}

/** A heredoc body with an unquoted delimiter: `$VAR` substituted, quotes left as they are. */
function expandHeredoc(h: Heredoc, env: ReadonlyMap<string, string>): Heredoc {
  if (!h.expand) return h;
  return { ...h, content: lex(h.content, env, '\\', { skipQuotes: true }).word };
}

/** Substitutes each `key=value` field's value of a --mount, as BuildKit does. */
function expandMount(value: string, word: (w: string) => string): string {
  const fields = csvFields(value).map((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f : `${f.slice(0, eq)}=${word(f.slice(eq + 1))}`;
  });
  return csvJoin(fields);
}
