// What to paste into a README to show a repository's chart or badge elsewhere. Pure.

import { repoPath } from "./api";
import type { Family } from "./types";

export interface EmbedSnippets {
  chartUrl: string;
  badgeUrl: string;
  shieldsUrl: string;
  markdown: string;
  html: string;
}

/** The chart, badge and shields.io endpoint of a repository's family, and ready snippets. */
export function embedSnippets(apiBaseUrl: string, repo: string, family: Family): EmbedSnippets {
  const base = apiBaseUrl.endsWith("/") ? apiBaseUrl : `${apiBaseUrl}/`;
  const path = `${base}${repoPath(repo)}`;
  const chartUrl = `${path}/chart.svg?family=${family}`;
  const badgeUrl = `${path}/badge.svg?family=${family}`;
  const endpoint = `${path}/shields.json?family=${family}`;
  const shieldsUrl = `https://img.shields.io/endpoint?url=${encodeURIComponent(endpoint)}`;
  const alt = `${repo} ${family}`;
  return {
    chartUrl,
    badgeUrl,
    shieldsUrl,
    markdown: `![${alt}](${chartUrl})`,
    html: `<img src="${chartUrl}" alt="${alt}" width="600" height="300">`,
  };
}
