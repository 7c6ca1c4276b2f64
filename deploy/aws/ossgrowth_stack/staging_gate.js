// ossgrowth staging gate: a CloudFront Function (JavaScript runtime 2.0) on viewer-request.
// Every request needs the staging user and password by HTTP Basic, checked against the
// SHA-256 (hex) of "user:password" held in a CloudFront KeyValueStore; the password itself is
// nowhere but in the API's secret. /health stays open (as the API leaves it), and a Bearer
// token passes to /api/* only, where the API checks it as its admin token. An empty or
// unreadable store lets nobody in.
import crypto from 'crypto';
import cf from 'cloudfront';

const store = cf.kvs('__KEY_VALUE_STORE_ID__');
const CREDENTIALS_KEY = '__CREDENTIALS_KEY__';
const OPEN_PATHS = ['/health'];
const BEARER_PATH_PREFIX = '/api/';

function refuse() {
  return {
    statusCode: 401,
    statusDescription: 'Unauthorized',
    headers: {
      'www-authenticate': { value: 'Basic realm="ossgrowth staging", charset="UTF-8"' },
      'cache-control': { value: 'no-store' },
    },
  };
}

function sameText(a, b) {
  if (a.length !== b.length) {
    return false;
  }
  let difference = 0;
  for (let i = 0; i < a.length; i++) {
    difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  }
  return difference === 0;
}

async function expectedDigest() {
  try {
    return await store.get(CREDENTIALS_KEY);
  } catch (error) {
    return null; // no key yet (the store starts empty) or the store did not answer
  }
}

async function handler(event) {
  const request = event.request;
  if (OPEN_PATHS.indexOf(request.uri) !== -1) {
    return request;
  }
  const header = request.headers.authorization;
  if (!header) {
    return refuse();
  }
  const value = header.value.trim();
  const space = value.indexOf(' ');
  const scheme = (space === -1 ? value : value.slice(0, space)).toLowerCase();
  const credentials = space === -1 ? '' : value.slice(space + 1).trim();
  if (scheme === 'bearer' && request.uri.startsWith(BEARER_PATH_PREFIX)) {
    return request;
  }
  if (scheme !== 'basic' || !credentials) {
    return refuse();
  }
  const expected = await expectedDigest();
  if (!expected) {
    return refuse();
  }
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const given = crypto.createHash('sha256').update(decoded).digest('hex');
  return sameText(given, String(expected).trim().toLowerCase()) ? request : refuse();
}
