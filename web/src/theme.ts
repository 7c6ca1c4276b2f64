// Light or dark: follows the system unless the reader picked one (kept in local storage; it
// is a display preference, nothing secret).

import { useEffect, useState } from "preact/hooks";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "ossgrowth-theme";
const dark = () => window.matchMedia("(prefers-color-scheme: dark)").matches;

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

function apply(choice: ThemeChoice): "light" | "dark" {
  const resolved = choice === "system" ? (dark() ? "dark" : "light") : choice;
  document.documentElement.dataset.theme = resolved;
  return resolved;
}

/** The theme in force, the reader's choice, and a way to change it. */
export function useTheme(): ["light" | "dark", ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  const [resolved, setResolved] = useState<"light" | "dark">(() => apply(stored()));
  useEffect(() => {
    setResolved(apply(choice));
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = () => setResolved(apply(choice));
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [choice]);
  const choose = (next: ThemeChoice) => {
    try {
      if (next === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // storage refused (private mode): the choice lasts until the page is left
    }
    setChoice(next);
  };
  return [resolved, choice, choose];
}
