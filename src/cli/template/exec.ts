// The evaluator: a port of Go's text/template/exec.go over the Go value model of value.ts. Fields are looked up on
// structs and maps, methods (function properties) are called with `this` bound, and every error carries Go's
// `template: NAME:LINE:COL: executing "NAME" at <NODE>: ...` prefix.

import type {
  AnyNode,
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateError } from './errors.js';
import { sprint } from './fmt.js';
import { BUILTINS, type Func, type GoFunc, type ParamType, isGoFunc } from './funcs.js';
import type { TreeSet } from './parser.js';
import { quote } from './strconv.js';
import { intValue, isTrue, kindOf, mapEntries, mapGet, structMember, typeName } from './value.js';

/** The `final` argument of a command that is not in a pipeline (Go's missingVal). */
const MISSING: unique symbol = Symbol('missing');
/** The previous command's value in a pipeline (its last argument), or MISSING. */
type Final = unknown;

const MAX_DEPTH = 1000;

class Break {}
class Continue {}

/** Everything an execution shares: the parsed trees, the source text (for positions) and the functions. */
export interface Program {
  readonly trees: TreeSet;
  readonly text: string;
  readonly parseName: string;
  readonly funcs: ReadonlyMap<string, Func>;
}

interface Variable {
  name: string;
  value: unknown;
}

class State {
  node: AnyNode | null = null;

  constructor(
    private readonly prog: Program,
    private readonly name: string,
    private readonly out: string[],
    private readonly vars: Variable[],
    private readonly depth: number,
  ) {}

  // --- errors ---

  errorf(msg: string): never {
    if (this.node === null) throw new TemplateError(`template: ${this.name}: ${msg}`);
    const pos = this.node.pos;
    const before = this.prog.text.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1));
    throw new TemplateError(
      `template: ${this.prog.parseName}:${line}:${col}: executing ${quote(this.name)} at <${nodeString(this.node)}>: ${msg}`,
    );
  }

  private at(node: AnyNode): void {
    this.node = node;
  }

  // --- variables ---

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  private mark(): number {
    return this.vars.length;
  }
  private pop(mark: number): void {
    this.vars.length = mark;
  }
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ---

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.out.push(node.text);
        return;
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (!(e instanceof Continue)) throw e;
        } finally {
          this.pop(mark);
        }
      };
      if (this.iterate(val, decl.length, oneIteration)) return;
      if (r.elseList) this.walk(dot, r.elseList);
    } catch (e) {
      if (!(e instanceof Break)) throw e;
    } finally {
      this.pop(outer);
    }
  }

  /** Runs one iteration per element; false when there were none (so `else` runs). */
  private iterate(val: unknown, nvars: number, one: (index: unknown, elem: unknown) => void): boolean {
    switch (kindOf(val)) {
      case 'slice': {
        const a = Array.from(val as ArrayLike<unknown>);
        a.forEach((e, i) => {
          one(i, e);
        });
        return a.length > 0;
      }
      case 'map': {
        const entries = mapEntries(val);
        for (const [k, v] of entries) one(k, v);
        return entries.length > 0;
      }
      case 'int': {
        if (nvars > 1) this.errorf(`can't use ${sprint([val])} to iterate over more than one variable`);
        const n = intValue(val)!;
        for (let i = 0; i < n; i++) one(i, i);
        return n > 0;
      }
      case 'invalid':
      case 'nil':
        return false;
      default:
        return this.errorf(`range can't iterate over ${sprint([val])}`);
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.prog.trees.get(t.name);
    if (tree === undefined) this.errorf(`template ${quote(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const state = new State(this.prog, t.name, this.out, [{ name: '$', value: newDot }], this.depth + 1);
    state.walk(newDot, tree);
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (v === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    this.out.push(sprint([v]));
  }

  // --- evaluation ---

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.push(v.ident[0]!, value);
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[] | null, final: Final): void {
    if ((args && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args![0]!)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && n.text[0] !== "'" && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return n.int;
    return this.errorf(`${n.text} overflows int`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: readonly ArgNode[] | null, final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: AnyNode,
    ident: readonly string[],
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i]!, node, null, MISSING, receiver);
    return this.evalField(dot, ident[n - 1]!, node, args, final, receiver);
  }

  private evalFunction(
    dot: unknown,
    node: IdentifierNode,
    cmd: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    this.at(node);
    const name = node.ident;
    const own = this.prog.funcs.get(name);
    const fn = own ?? BUILTINS.get(name);
    if (fn === undefined) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, own === undefined, cmd, name, args, final);
  }

  private evalField(
    dot: unknown,
    fieldName: string,
    node: AnyNode,
    args: readonly ArgNode[] | null,
    final: Final,
    receiver: unknown,
  ): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const kind = kindOf(receiver);
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (kind === 'struct') {
      const m = structMember(receiver as object, fieldName);
      if (typeof m.value === 'function') {
        const method = m.value.bind(receiver) as Func;
        return this.evalCall(dot, method, false, node, fieldName, args, final);
      }
      if (m.found) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return m.value;
      }
    } else if (kind === 'map') {
      // Go looks methods up before map keys: a Map subclass's methods (docker's SubHeaderContext.Label) are methods.
      const method = receiver instanceof Map ? mapMethod(receiver, fieldName) : undefined;
      if (method) return this.evalCall(dot, method.bind(receiver) as Func, false, node, fieldName, args, final);
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return mapGet(receiver, fieldName).value;
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  private evalCall(
    dot: unknown,
    fn: Func,
    isBuiltin: boolean,
    node: AnyNode,
    name: string,
    args: readonly ArgNode[] | null,
    final: Final,
  ): unknown {
    const argNodes = args ? args.slice(1) : [];
    const sig: GoFunc = isGoFunc(fn) ? fn : { params: [], variadic: 'any', fn };
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    let numFixed = argNodes.length;
    if (sig.variadic) {
      numFixed = sig.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${sig.params.length} got ${argNodes.length}`);
      }
    } else if (numIn !== sig.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${sig.params.length} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown;
      for (const arg of argNodes) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, sig.params[i]!, argNodes[i]!));
    if (sig.variadic) for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, sig.variadic, argNodes[i]!));
    if (final !== MISSING) {
      let t = sig.params[sig.params.length - 1] ?? sig.variadic!;
      if (sig.variadic) t = numIn - 1 < numFixed ? sig.params[numIn - 1]! : sig.variadic;
      argv.push(this.validateType(final, t));
    }
    if (isBuiltin && name === 'call') {
      const callee = argNodes.length === 0 ? sprint([final]) : nodeString(argNodes[0]!);
      argv.unshift(callee);
    }
    try {
      return sig.fn(...argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      return this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Go's validateType: checks (and for nil, converts) a computed value for a parameter type. */
  private validateType(value: unknown, type: ParamType | null): unknown {
    if (type === null || type === 'value') return value;
    if (value === undefined) {
      if (type === 'any') return null;
      if (type === 'strings') return [];
      this.errorf(`invalid value; expected ${goTypeName(type)}`);
    }
    const ok =
      type === 'any' ||
      (type === 'string' && typeof value === 'string') ||
      (type === 'int' && intValue(value) !== undefined) ||
      (type === 'strings' && value === null) ||
      (type === 'strings' && Array.isArray(value) && value.every((x) => typeof x === 'string'));
    if (!ok) this.errorf(`wrong type for value; expected ${goTypeName(type)}; got ${typeName(value)}`);
    if (type === 'int') return intValue(value);
    return value;
  }

  private evalArg(dot: unknown, type: ParamType | null, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, type);
      case 'nil':
        if (type === 'string' || type === 'int') this.errorf(`cannot assign nil to ${goTypeName(type)}`);
        return type === 'value' || type === null ? undefined : type === 'strings' ? [] : null;
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), type);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), type);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), type);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), type);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), type);
    }
    switch (type) {
      case 'string':
        if (n.type === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return Number(n.int);
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'strings':
        return this.errorf(`can't handle ${nodeString(n)} for arg of type []string`);
    }
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
  }
}

function goTypeName(t: ParamType): string {
  return { any: 'interface {}', value: 'reflect.Value', string: 'string', int: 'int', strings: '[]string' }[t];
}

/** Executes the tree `name` of the program on `data`; throws TemplateError (with the output so far as `partial`). */
export function execute(prog: Program, name: string, data: unknown): string {
  const out: string[] = [];
  const tree = prog.trees.get(name);
  const state = new State(prog, name, out, [{ name: '$', value: data }], 0);
  try {
    if (tree === undefined) state.errorf(`${quote(name)} is an incomplete or empty template`);
    state.walk(data, tree as ListNode);
  } catch (e) {
    if (e instanceof TemplateError) e.partial = out.join('');
    throw e;
  }
  return out.join('');
}

/** A method `name` a Map subclass defines (Map's own methods are not template methods). */
function mapMethod(m: Map<unknown, unknown>, name: string): ((...args: unknown[]) => unknown) | undefined {
  for (
    let p: object | null = Object.getPrototypeOf(m);
    p !== null && p !== Map.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const v = Object.getOwnPropertyDescriptor(p, name)?.value;
    if (name !== 'constructor' && typeof v === 'function') return v as (...args: unknown[]) => unknown;
  }
  return undefined;
}
