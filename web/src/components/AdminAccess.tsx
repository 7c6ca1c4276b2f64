// Who may change things from this page: the admin token (kept for the browser session) and
// what the server says about writes (`writes` in /about). Shared by every view that changes data.

import { useState } from "preact/hooks";

import { ApiError } from "../api";
import { useDashboard } from "../context";
import { loadToken, saveToken } from "../token";

export interface AdminAccess {
  token: string | null;
  setToken: (token: string | null) => void;
  /** Whether the page may send changes now: writes open to it, or a token entered. */
  canWrite: boolean;
}

export function useAdminAccess(): AdminAccess {
  const { about } = useDashboard();
  const [token, setTokenState] = useState<string | null>(loadToken);
  const setToken = (next: string | null) => {
    saveToken(next);
    setTokenState(next);
  };
  const canWrite = about.writes === "open" || (about.writes === "token" && Boolean(token));
  return { token, setToken, canWrite };
}

/** The token form (when the server wants one), or how to enable changes (when it takes none). */
export function AdminTokenForm(props: { access: AdminAccess }) {
  const { about } = useDashboard();
  const [text, setText] = useState("");
  const { token, setToken } = props.access;
  if (about.writes === "open") return null;
  if (about.writes === "off") return <WritesOff />;
  if (token) {
    return (
      <p class="token-state">
        The admin token is kept for this browser session.{" "}
        <button type="button" onClick={() => setToken(null)}>
          Forget it
        </button>
      </p>
    );
  }
  return (
    <form
      class="token-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim()) setToken(text.trim());
        setText("");
      }}
    >
      <label>
        <span>Admin token</span>
        <input
          type="password"
          autoComplete="off"
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </label>
      <button type="submit">Use for this session</button>
      <p class="hint">Kept only until this tab is closed; never put in the address or stored on disk.</p>
    </form>
  );
}

export function WritesOff() {
  return (
    <div class="state state-empty">
      <p>
        Changes are turned off on this server. Start it with <code>OSSGROWTH_ADMIN_TOKEN</code> set to enable them
        here, or make them from a terminal (<code>ossgrowth --help</code>).
      </p>
    </div>
  );
}

/** A failure as one line for the page: the API's own message, with what to do on a 401. */
export function problemText(error: unknown): string {
  if (!(error instanceof ApiError)) return `The server did not answer: ${String(error)}`;
  if (error.status === 401) return `${error.message}. Enter the admin token above.`;
  return error.message;
}
