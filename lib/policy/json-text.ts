/**
 * JSON text of a policy read strictly: a leading byte-order mark is dropped (editors on Windows write
 * one), and an object that names the same key twice is refused (JSON.parse silently keeps the last
 * value, so `"keys"` written twice would drop the first list; YAML refuses the same).
 */

export type JsonTextResult = { ok: true; value: unknown } | { ok: false; message: string };

const BOM = '\uFEFF';

/** Parses `text` as JSON; never throws. A failure's message says what and where (line, column). */
export function parseJsonText(text: string): JsonTextResult {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  const dup = firstRepeatedKey(body);
  return dup ? { ok: false, message: dup } : { ok: true, value };
}

function position(text: string, at: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < at; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

/**
 * Scans text that JSON.parse accepted; describes the first object key repeated in the same object, or
 * undefined. One pass: a stack holds a key set per open object (null for an array).
 */
function firstRepeatedKey(text: string): string | undefined {
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      const start = i;
      i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      const raw = text.slice(start, i + 1);
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      const keys = stack[stack.length - 1];
      if (text[j] === ':' && keys) {
        const key = JSON.parse(raw) as string;
        if (keys.has(key)) return `key ${JSON.stringify(key)} appears twice in one object (${position(text, start)})`;
        keys.add(key);
      }
    }
    i++;
  }
  return undefined;
}
