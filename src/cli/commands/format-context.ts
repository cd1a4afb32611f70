// Shared pieces of the docker CLI's formatter package: the table-header context (a map of column titles with a Label
// method) and the check that a --format template parses and runs, as `ps` and `images` make before listing.
import { parseTemplate, type TemplateError } from '../template/index.js';
import { marshal } from '../template/json.js';

/** formatter.SubHeaderContext: column titles by field; `.Label "com.x.y-z"` heads its column "y z". */
export class SubHeaderContext extends Map<string, string> {
  Label(name: string): string {
    const parts = name.split('.');
    return parts[parts.length - 1]!.replaceAll('-', ' ').replaceAll('_', ' ');
  }
}

export const headers = (fields: Record<string, string>): Record<string, string> =>
  new SubHeaderContext(Object.entries(fields)) as unknown as Record<string, string>;

/**
 * Parses `format` as is and runs it once on `probe` (docker's buildContainerListOptions), failing with
 * "failed to parse template: …" or "failed to execute template: …".
 */
export function validateTemplate(format: string, probe: unknown): void {
  let tmpl: ReturnType<typeof parseTemplate>;
  try {
    tmpl = parseTemplate(format);
  } catch (e) {
    throw new Error(`failed to parse template: ${(e as TemplateError).message}`, { cause: e });
  }
  try {
    tmpl.execute(probe);
  } catch (e) {
    throw new Error(`failed to execute template: ${(e as TemplateError).message}`, { cause: e });
  }
}

/**
 * A docker formatter context: its exported methods are the template's fields. `{{json .}}` gives them as a JSON
 * object, sorted, with <, > and & escaped (docker's MarshalJSON goes through json.Marshal, which escapes them).
 */
export abstract class FormatContext {
  MarshalJSON(): string {
    const names = new Set<string>();
    for (
      let p: object | null = Object.getPrototypeOf(this);
      p !== null && p !== Object.prototype;
      p = Object.getPrototypeOf(p)
    ) {
      for (const k of Object.getOwnPropertyNames(p)) {
        const v = Object.getOwnPropertyDescriptor(p, k)?.value;
        if (/^[A-Z]/.test(k) && k !== 'MarshalJSON' && typeof v === 'function' && v.length === 0) names.add(k);
      }
    }
    const fields = new Map<string, unknown>();
    for (const k of names) fields.set(k, (this as unknown as Record<string, () => unknown>)[k]!());
    return marshal(fields).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  }
}
