// Loaded before the app: start the view's first requests while the app's code downloads.

import { Api, inlineConfig } from "./api";
import { firstRequests } from "./early";
import { parseState } from "./state";

const config = inlineConfig();
if (config) {
  const api = new Api(config);
  for (const [path, params] of firstRequests(parseState(location.search))) api.prefetch(path, params);
  window.ossgrowthEarly = { config, requests: api.earlyRequests };
}
