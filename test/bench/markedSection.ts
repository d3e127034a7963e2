/**
 * `text` with the section between `start` and `end` (marker lines, kept in `section`) replaced by
 * `section`, or `section` added before "## How to run" when the markers are not there yet: how
 * `--only <part>` rewrites its own section of docs/benchmarks.md and leaves the rest as it was.
 */
export function spliceMarkedSection(text: string, section: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) return `${text.slice(0, from)}${section}${text.slice(to + end.length)}`;
  const howTo = text.indexOf('## How to run');
  if (howTo >= 0) return `${text.slice(0, howTo)}${section}\n\n${text.slice(howTo)}`;
  return `${text.trimEnd()}\n\n${section}\n`;
}
