// Turns our JS context values into CEL values, driven by the declared type, so that what the checker assumed is
// what evaluation sees (ints become bigints, dates become timestamps). A value that does not fit its declared
// type is left out: reading it is then an evaluation error, which fails closed.
//
// Conversion runs on every decision, so a record's conversion is cached by object identity, but only for a
// deeply frozen record (the builders in context.ts freeze what they return): a caller that mutates a session's
// history in place must never be judged on a stale copy. (`dyn` values such as args are passed by reference,
// never copied, so they are always current.)
import { celError, celList, celMap, celUint } from "@bufbuild/cel";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { CelT } from "./types.ts";

type Convert = (v: unknown) => unknown;
const converters = new WeakMap<CelT, Convert>();

/** Cleared by a container converter when it meets a value that is not frozen (so its parent is not cacheable). */
let frozen = true;

/** Frozen lists known to begin with every element of another frozen list, in order (see noteListExtends). */
const extendedLists = new WeakMap<readonly unknown[], readonly unknown[]>();

/**
 * Records that the frozen list `list` is the frozen list `base` followed by more elements (the same objects), so
 * that converting `list` converts only what `base` does not have. Both must be frozen; anything else is ignored.
 */
export function noteListExtends(list: readonly unknown[], base: readonly unknown[]): void {
  if (!Object.isFrozen(list) || !Object.isFrozen(base) || base.length > list.length) return;
  for (let i = 0; i < base.length; i++) if (list[i] !== base[i]) return;
  extendedLists.set(list, base);
}

/** Returns the CEL value, or undefined when `v` is absent or does not fit `t`. */
export function toCelValue(v: unknown, t: CelT): unknown {
  return converterFor(t)(v);
}

/** Converters are built once per declared type: conversion runs on every decision, so it avoids re-walking types. */
function converterFor(t: CelT): Convert {
  let c = converters.get(t);
  if (c === undefined) {
    c = buildConverter(t);
    converters.set(t, c);
  }
  return c;
}

function buildConverter(t: CelT): Convert {
  switch (t.kind) {
    case "bool":
      return (v) => (typeof v === "boolean" ? v : undefined);
    case "string":
      return (v) => (typeof v === "string" ? v : undefined);
    case "int":
      return (v) =>
        typeof v === "bigint" ? v : typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : undefined;
    case "uint":
      return (v) =>
        typeof v === "bigint" && v >= 0n
          ? celUint(v)
          : typeof v === "number" && Number.isSafeInteger(v) && v >= 0
            ? celUint(BigInt(v))
            : undefined;
    case "double":
      return (v) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined);
    case "timestamp":
      return (v) => {
        const d = v instanceof Date ? v : typeof v === "string" || typeof v === "number" ? new Date(v) : undefined;
        return d === undefined || Number.isNaN(d.getTime()) ? undefined : timestampFromDate(d);
      };
    case "list": {
      if (t.elem.kind === "dyn") return (v) => (Array.isArray(v) ? v : undefined);
      const elem = converterFor(t.elem);
      const cache = new WeakMap<readonly unknown[], readonly unknown[]>();
      return (v) => {
        if (!Array.isArray(v)) return undefined;
        const outer = frozen;
        frozen = Object.isFrozen(v);
        let out = frozen ? cache.get(v) : undefined;
        if (out === undefined) {
          // A frozen list that extends one converted before (a session's history, one call longer): convert only
          // the new elements. The base's conversion was cached only if all of it was frozen, hence still current.
          const base = frozen ? extendedLists.get(v) : undefined;
          const converted = base === undefined ? undefined : cache.get(base);
          const built = converted === undefined ? [] : converted.slice();
          for (let i = converted === undefined ? 0 : (base as readonly unknown[]).length; i < v.length; i++) {
            const c = elem(v[i]);
            if (c !== undefined) built.push(c);
          }
          if (frozen) cache.set(v, built);
          out = built;
        }
        frozen = outer && frozen;
        return celList(out as never[]);
      };
    }
    case "map": {
      if (t.value.kind === "dyn") return (v) => (v instanceof Map || isPlainObject(v) ? v : undefined);
      const value = converterFor(t.value);
      return (v) => {
        const m = new Map<string, unknown>();
        if (v instanceof Map || !Object.isFrozen(v)) frozen = false;
        if (v instanceof Map) {
          for (const [key, x] of v) {
            const c = value(x);
            if (c !== undefined) m.set(String(key), c);
          }
        } else if (isPlainObject(v)) {
          for (const key in v) {
            const c = value(v[key]);
            if (c !== undefined) m.set(key, c);
          }
        } else return undefined;
        return celMap(m as never);
      };
    }
    case "record": {
      const fields = Object.entries(t.fields).map(([name, ft]) => [name, converterFor(ft)] as const);
      const cache = new WeakMap<object, unknown>();
      return (v) => {
        if (!isPlainObject(v)) return undefined;
        const hit = cache.get(v);
        if (hit !== undefined) return hit;
        const outer = frozen;
        frozen = Object.isFrozen(v);
        const m = new Map<string, unknown>();
        for (const [name, convert] of fields) {
          const c = convert(v[name]);
          if (c !== undefined) m.set(name, c);
        }
        const out = celMap(m as never);
        if (frozen) cache.set(v, out);
        frozen = outer && frozen;
        return out;
      };
    }
    case "dyn":
      return (v) => v;
    default:
      return () => undefined;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const unknownValues = new Map<string, unknown>();

/**
 * A value standing for "not known in this phase": reading it yields this error. One error value per name, made
 * once: an error value is immutable, and constructing one (an Error, with its stack trace) on every list-phase
 * read was a measurable share of each call.
 */
export function unknownValue(name: string): unknown {
  let v = unknownValues.get(name);
  if (v === undefined) {
    v = celError(`${name} is not known when listing tools`);
    unknownValues.set(name, v);
  }
  return v;
}
