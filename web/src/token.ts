// The admin token, entered once and kept for this browser session only: in session storage,
// never in the URL or in local storage, and never shown again.

const KEY = "ossgrowth-admin-token";

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage refused: the token lasts until the page is left
  }
}
