import { describe, expect, it } from 'vitest';
import { handSections, keepHandSections } from '../../../test/bench/handSections.js';

const house = '<!-- hand:house:start -->\n## The house\n\nbefore → after\n<!-- hand:house:end -->';
const shared = '<!-- hand:shared-with-me:start -->\n## Shared with me\n\n| groups |\n<!-- hand:shared-with-me:end -->';

describe('hand-recorded sections of docs/benchmarks.md', () => {
  it('are found with their markers, in order, and nothing else', () => {
    const text = `# Coffer benchmarks\n\n## API\n\n${house}\n\n## Permissions\n\n${shared}\n\n## How to run\n`;
    expect(handSections(text)).toEqual([house, shared]);
    expect(handSections('# none here\n<!-- web:start -->\n<!-- web:end -->')).toEqual([]);
  });

  it('go back into a full run’s file before "How to run", and a second run keeps them once', () => {
    const generated = '# Coffer benchmarks\n\n## API\n\n## How to run\n\nnpm run bench\n';
    const once = keepHandSections(generated, [house, shared]);
    expect(once.indexOf(house)).toBeGreaterThan(once.indexOf('## API'));
    expect(once.indexOf(shared)).toBeLessThan(once.indexOf('## How to run'));
    const twice = keepHandSections(once, handSections(once));
    expect(twice).toBe(once);
    expect(twice.split('## Shared with me')).toHaveLength(2);
  });
});
