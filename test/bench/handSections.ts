import { spliceMarkedSection } from './markedSection.js';

/** A hand-recorded section of docs/benchmarks.md: between `<!-- hand:NAME:start -->` and `<!-- hand:NAME:end -->`. */
const HAND = /<!-- hand:([a-z0-9-]+):start -->[\s\S]*?<!-- hand:\1:end -->/g;

/**
 * The hand-recorded sections of `text` (a before/after comparison, a part only `--only` runs),
 * each with its markers, in order: a full run, which rewrites the whole file, puts them back
 * (keepHandSections) instead of dropping them.
 */
export function handSections(text: string): string[] {
  return text.match(HAND) ?? [];
}

/** `generated` with each of `sections` in place of its markers, or before "## How to run" when it has none. */
export function keepHandSections(generated: string, sections: readonly string[]): string {
  let text = generated;
  for (const section of sections) {
    const name = /<!-- hand:([a-z0-9-]+):start -->/.exec(section)![1]!;
    text = spliceMarkedSection(text, section, `<!-- hand:${name}:start -->`, `<!-- hand:${name}:end -->`);
  }
  return text;
}
