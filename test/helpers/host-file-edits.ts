/** Checks on how an install edits a host's own config file: it adds lines and changes nothing else. */
import { diffLines } from 'diff';
import { expect } from 'vitest';

/** Only lines were added to `original` (at most one existing line gained a trailing comma). */
export function expectOnlyLinesAdded(original: string, after: string): void {
  const changes = diffLines(original, after);
  const removedText = changes.filter((c) => c.removed).map((c) => c.value);
  const addedText = changes
    .filter((c) => c.added)
    .map((c) => c.value)
    .join('');
  expect(removedText.length).toBeLessThanOrEqual(1);
  for (const text of removedText) expect(addedText).toContain(text.replace(/\n$/, ',\n'));
}
