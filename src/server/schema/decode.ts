// Checks a decoded JSON body against its endpoint's schema and words a refusal as Go's json.Unmarshal does, which is
// what dockerd answers: "json: cannot unmarshal number 1e30 into Go struct field HostConfig.HostConfig.Memory of type
// int64". The validator is @cfworker/json-schema, which interprets a schema rather than generating code for it: ajv,
// tried first, added ~16 MB to berthd's resident memory (its library and the code it generated for the create schema)
// for checks of ~25 µs where this one takes ~30-80 µs, once per create.
import { type OutputUnit, Validator } from '@cfworker/json-schema';
import { InvalidParameter } from '../../errdefs/index.js';
import type { GoSchema } from './go-types.js';

const validators = new WeakMap<GoSchema, Validator>();

function validator(schema: GoSchema): Validator {
  let v = validators.get(schema);
  if (!v) {
    // Short-circuit: the first failing field is enough (Go reports only the first too).
    v = new Validator(schema as unknown as Record<string, unknown>, '2020-12', true);
    validators.set(schema, v);
  }
  return v;
}

/**
 * Resolves to `value` as the endpoint's body, or rejects with InvalidParameter in Go's words. `raw` is the body's
 * text: Go quotes a refused number as it was written (`1e30`), which the parsed value no longer tells.
 */
export async function checkBody<T>(schema: GoSchema, value: unknown, raw: string): Promise<T> {
  // Go decodes a null body into the zero struct.
  const body = canonicalKeys(schema, value === null ? {} : value);
  const result = validator(schema).validate(body);
  if (result.valid) return body as T;
  // The errors run from the outermost (the body's "properties") to the field that failed: the last is the field.
  const innermost = result.errors.at(-1);
  if (!innermost) throw new InvalidParameter('invalid JSON');
  throw new InvalidParameter(goUnmarshalError(schema, body, innermost, raw));
}

/**
 * Go matches a JSON key to a struct field by exact name, else case-insensitively (`image` is Image; of two keys for
 * one field the later wins). Such keys are renamed to the field's own name, so they are checked as that field and the
 * engine sees them: kept as they came, an `"image": 5` would pass unchecked and be stored, and the docker CLI's
 * decoder, folding case too, could then not read the container back. Keys that match no field are kept as they are.
 */
export function canonicalKeys(schema: GoSchema, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = schema.items as GoSchema | undefined;
    return items ? value.map((v) => canonicalKeys(items, v)) : value;
  }
  const properties = schema.properties as Record<string, GoSchema> | undefined;
  const values = schema.additionalProperties as GoSchema | undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    let name = key;
    let field: GoSchema | undefined = values;
    if (properties) {
      field = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (!field) {
        const folded = Object.keys(properties).find((p) => p.toLowerCase() === key.toLowerCase());
        if (folded) {
          name = folded;
          field = properties[folded];
        }
      }
    }
    // A key "__proto__" from JSON.parse is an own property; assigning it would set the prototype instead.
    Object.defineProperty(out, name, {
      value: field ? canonicalKeys(field, v) : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Go's UnmarshalTypeError text for the field the validator refused (`e.instanceLocation`, a `#/a/b` pointer). */
function goUnmarshalError(root: GoSchema, body: unknown, e: OutputUnit, raw: string): string {
  const pointer = e.instanceLocation.replace(/^#/, '');
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
  // Walk the schema along the value's path: Go names the innermost struct and the chain of field names (no indices,
  // no map keys).
  let node: GoSchema = root;
  let data = body;
  let structName: string | undefined;
  const fields: string[] = [];
  for (const seg of segments) {
    data = (data as Record<string, unknown>)[seg];
    const properties = node.properties as Record<string, GoSchema> | undefined;
    if (properties?.[seg]) {
      structName = node.goStruct;
      fields.push(seg);
      node = properties[seg];
    } else if (node.items) {
      node = node.items as GoSchema;
    } else if (node.additionalProperties) {
      node = node.additionalProperties as GoSchema;
    }
  }
  const what = describeValue(data, node, raw);
  const target =
    structName === undefined ? `Go value of type ${node.goType}` : `Go struct field ${structName}.${fields.join('.')}`;
  return structName === undefined
    ? `json: cannot unmarshal ${what} into ${target}`
    : `json: cannot unmarshal ${what} into ${target} of type ${node.goType}`;
}

/** Go's word for the refused JSON value: its kind, and for a number aimed at a numeric type, the literal. */
function describeValue(data: unknown, node: GoSchema, raw: string): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'array';
  if (typeof data === 'object') return 'object';
  if (typeof data === 'boolean') return 'bool';
  if (typeof data === 'string') return 'string';
  if (typeof data === 'number') {
    const types = Array.isArray(node.type) ? node.type : [node.type];
    return types.includes('integer') || types.includes('number') ? `number ${numberLiteral(raw, data)}` : 'number';
  }
  return typeof data;
}

/** The first number literal in `raw` (outside strings) whose value is `value`, as the client wrote it. */
export function numberLiteral(raw: string, value: number): string {
  const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (const m of raw.matchAll(token)) {
    const t = m[0];
    if (t.startsWith('"')) continue;
    if (Object.is(Number(t), value)) return t;
  }
  return String(value);
}

function unescapePointer(s: string): string {
  return s.replaceAll('~1', '/').replaceAll('~0', '~');
}
