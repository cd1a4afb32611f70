// A small vocabulary that writes JSON schemas in the words of the Go types moby decodes request bodies into, so that a
// schema says both what is accepted (Go's json.Unmarshal rules: null leaves a field alone, integers within their
// type's range, unknown fields ignored) and what to say when it is not (each node carries its Go type's name).

/** A JSON schema node annotated with the Go type it stands for (`goType`, and `goStruct` on structs). */
export interface GoSchema {
  goType: string;
  goStruct?: string;
  type: string | string[];
  [keyword: string]: unknown;
}

/**
 * Go allows null for any field (it leaves the field as it was); elements of slices and maps are refused when null,
 * which Go would read as a zero value, since berth would store the null and trip over it later.
 */
const orNull = (t: string | string[]): string[] => [...(Array.isArray(t) ? t : [t]), 'null'];

function integer(goType: string, min: number, maxExclusive: number): GoSchema {
  return { type: 'integer', minimum: min, exclusiveMaximum: maxExclusive, goType };
}

const I64 = 2 ** 63;
const U64 = 2 ** 64;

export const int64 = (goType = 'int64') => integer(goType, -I64, I64);
/** Go's int on the 64-bit platforms moby runs on. */
export const int = () => integer('int', -I64, I64);
export const uint16 = () => integer('uint16', 0, 2 ** 16);
export const uint32 = (goType = 'uint32') => integer(goType, 0, 2 ** 32);
export const uint64 = () => integer('uint64', 0, U64);
/** Go's uint on 64-bit platforms. */
export const uint = () => integer('uint', 0, U64);
export const duration = () => int64('time.Duration');
export const bool = (): GoSchema => ({ type: 'boolean', goType: 'bool' });
/** A string, or a named string type (`container.NetworkMode`), which Go names in its errors. */
export const string = (goType = 'string'): GoSchema => ({ type: 'string', goType });

export function slice(elem: GoSchema, goType = `[]${elem.goType}`): GoSchema {
  return { type: 'array', items: elem, goType };
}

/** A fixed-size Go array (`[2]uint`): Go drops JSON elements past its length. */
export function array(length: number, elem: GoSchema): GoSchema {
  return { type: 'array', items: elem, goType: `[${length}]${elem.goType}` };
}

export function map(value: GoSchema, goType = `map[string]${value.goType}`): GoSchema {
  return { type: 'object', additionalProperties: value, goType };
}

/** `struct {}`, the value type of moby's sets (ExposedPorts, Volumes). */
export const emptyStruct = (): GoSchema => ({ type: 'object', goType: 'struct {}' });

/**
 * strslice.StrSlice (Cmd, Entrypoint, CapAdd): a string or a list of strings. Its decoder's last try is a plain
 * string, so that is the type Go names when neither fits.
 */
export const strSlice = (): GoSchema => ({ type: ['string', 'array'], items: string(), goType: 'string' });

/**
 * A Go struct, by its qualified name (`container.HostConfig`). Fields of embedded structs (HostConfig's Resources)
 * are listed with the struct's own, as Go's decoder sees them.
 */
export function struct(goType: string, fields: Record<string, GoSchema>): GoSchema {
  const properties: Record<string, GoSchema> = {};
  for (const [name, field] of Object.entries(fields)) properties[name] = { ...field, type: orNull(field.type) };
  return { type: 'object', properties, goType, goStruct: goType.slice(goType.lastIndexOf('.') + 1) };
}
