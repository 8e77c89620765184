/**
 * The one regular-expression engine for policy patterns (`remove.keyPatterns`): RE2 syntax on re2js,
 * whose matching time is linear in the key's length whatever the pattern, so no pattern a policy
 * carries can stall the event loop (and with it the deadline and SIGINT). Syntax RE2 cannot run in
 * linear time (lookaround, backreferences) is refused at the edge, never emulated.
 */
import { RE2JS } from 're2js';

/** Longest `keyPatterns` entry: keeps the compiled automaton (and a reviewer's reading) small. */
export const MAX_KEY_PATTERN_LENGTH = 256;

/** A compiled key pattern: `test` finds a match anywhere in the key, like `RegExp.prototype.test`. */
export interface KeyPattern {
  readonly source: string;
  test(key: string): boolean;
}

/** Why `source` cannot serve as a key pattern, or undefined when RE2 compiles it. */
export function keyPatternProblem(source: string): string | undefined {
  if (source.length > MAX_KEY_PATTERN_LENGTH) return `is longer than ${MAX_KEY_PATTERN_LENGTH} characters`;
  try {
    RE2JS.compile(source);
  } catch (e) {
    const detail = (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp:\s*/, '');
    return `is not a valid regular expression in RE2 syntax (${detail}); lookaround and backreferences are not supported`;
  }
  return undefined;
}

/** Compiles a pattern `keyPatternProblem` accepted; throws `SyntaxError` naming the pattern otherwise. */
export function compileKeyPattern(source: string): KeyPattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (e) {
    throw new SyntaxError(`key pattern ${JSON.stringify(source)} is not valid RE2 syntax`, { cause: e });
  }
  return { source, test: (key) => re.test(key) };
}
