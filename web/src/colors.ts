// Colours: one per field of a family, one per repository in a comparison. Pure.

/** Ten colours that stay apart for common colour-vision deficiencies (Okabe–Ito, extended). */
export const PALETTE: readonly string[] = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#cc79a7",
  "#d55e00",
  "#56b4e9",
  "#8c6d1f",
  "#7f3c8d",
  "#3969ac",
  "#a5aa99",
];

function hash(text: string): number {
  let value = 2166136261;
  for (const character of text.toLowerCase()) {
    value ^= character.codePointAt(0) ?? 0;
    value = Math.imul(value, 16777619) >>> 0;
  }
  return value;
}

/**
 * A colour for each repository, the same wherever it appears: its name picks a palette slot,
 * and a repository whose slot is taken by one added earlier takes the next free slot.
 */
export function repositoryColors(repos: readonly string[]): Map<string, string> {
  const taken = new Set<number>();
  const colors = new Map<string, string>();
  for (const repo of repos) {
    let slot = hash(repo) % PALETTE.length;
    for (let tries = 0; tries < PALETTE.length && taken.has(slot); tries += 1) {
      slot = (slot + 1) % PALETTE.length;
    }
    taken.add(slot);
    colors.set(repo, PALETTE[slot] ?? "#888888");
  }
  return colors;
}

/** The colour of the n-th field of a chart. */
export function fieldColor(index: number): string {
  return PALETTE[index % PALETTE.length] ?? "#888888";
}
