// JSON from files, read strictly: duplicate keys and prototype keys ('__proto__') are refused
// (JSON.parse keeps the last duplicate silently), objects have no prototype, and nesting is
// bounded (no deep recursion on hostile input). Errors are ValueErrors prefixed with `where`.
import { ValueError } from '../errors.js';

/** A parsed JSON value; objects are null-prototype records. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const FORBIDDEN = new Set(['__proto__']);
/** A number, true, false or null, matched at lastIndex. */
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** Parses `text` as JSON; throws ValueError naming the duplicate or forbidden key and its path. */
export function parseStrictJson(where: string, text: string, maxDepth = 32): JsonValue {
  let i = 0;
  const fail = (why: string): never => {
    throw new ValueError(`${where}: ${why}`);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const string = (): string => {
    // Find the closing quote, then let JSON.parse decode the escapes of this one string.
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail(`unterminated string at offset ${start}`);
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail(`invalid string at offset ${start}`);
    }
  };
  const value = (depth: number, path: string): JsonValue => {
    if (depth > maxDepth) fail(`nesting deeper than ${maxDepth} at ${path}`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = Object.create(null) as Record<string, JsonValue>;
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a key at offset ${i} in ${path}`);
        const key = string();
        if (FORBIDDEN.has(key)) fail(`the key ${JSON.stringify(key)} is not allowed (in ${path})`);
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate key ${JSON.stringify(key)} in ${path}`);
        ws();
        if (text[i] !== ':') fail(`expected ':' at offset ${i}`);
        i++;
        obj[key] = value(depth + 1, `${path}.${key}`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected ',' or '}' at offset ${i}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1, `${path}[${arr.length}]`));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected ',' or ']' at offset ${i}`);
      }
    }
    if (c === '"') return string();
    LITERAL.lastIndex = i;
    const m = LITERAL.exec(text);
    if (!m) return fail(`unexpected ${c === undefined ? 'end of text' : `character ${JSON.stringify(c)}`} at offset ${i}`);
    i += m[0].length;
    return JSON.parse(m[0]) as JsonValue;
  };
  const result = value(0, '(top)');
  ws();
  if (i !== text.length) fail(`unexpected text after the JSON value at offset ${i}`);
  return result;
}
