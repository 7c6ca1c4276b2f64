// A collection's form parts: a slug from a name, and the repositories typed to add. Pure.

import { cleanRepo, cleanSlug } from "./state";

/** A slug for a name: `Front-end tools!` → `front-end-tools` (empty when nothing is left). */
export function slugFrom(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/g, "");
}

/** Whether a slug is one the URL (and the API) takes, as typed. */
export function isSlug(text: string): boolean {
  return cleanSlug(text) === text.trim().toLowerCase() && text.trim() !== "";
}

export interface MemberChoice {
  /** Tracked repositories to add, spelled as tracked, each once. */
  add: string[];
  /** Names that are already members. */
  already: string[];
  /** Names that are not tracked repositories (or not repository names at all). */
  unknown: string[];
}

/**
 * What typing `text` (names separated by commas, spaces or lines; github.com addresses
 * too) asks to add to a collection whose members are `members`, given the tracked `known`.
 */
export function chooseMembers(text: string, known: readonly string[], members: readonly string[]): MemberChoice {
  const byLower = new Map(known.map((repo) => [repo.toLowerCase(), repo]));
  const memberSet = new Set(members.map((repo) => repo.toLowerCase()));
  const choice: MemberChoice = { add: [], already: [], unknown: [] };
  const seen = new Set<string>();
  for (const word of text.split(/[\s,]+/).filter(Boolean)) {
    const bare = word.replace(/^https?:\/\/(www\.)?github\.com\//, "").replace(/\/+$/, "");
    const name = cleanRepo(bare);
    const tracked = name ? byLower.get(name.toLowerCase()) : undefined;
    const key = (tracked ?? word).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (!tracked) choice.unknown.push(word);
    else if (memberSet.has(key)) choice.already.push(tracked);
    else choice.add.push(tracked);
  }
  return choice;
}
