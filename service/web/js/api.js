// The public JSON API, and its RFC 9457 problems as values the page renders as text.
import { authorization, end } from './session.js';

export class Problem extends Error {
  constructor(status, body) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : '';
    this.title = typeof body.title === 'string' ? body.title : '';
    this.errors = Array.isArray(body.errors) ? body.errors : [];
    this.requestId = typeof body.request_id === 'string' ? body.request_id : '';
  }
}

export const newIdempotencyKey = () => `web-${crypto.randomUUID()}`;

async function call(path, { method = 'GET', body, idempotencyKey, accept = 'application/json' } = {}) {
  const headers = { Accept: accept };
  const auth = authorization();
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error',
    });
  } catch {
    throw new Problem(0, { detail: '无法连接服务，请检查网络后重试。' });
  }
  if (!response.ok) {
    const type = response.headers.get('content-type') || '';
    const problem = type.includes('json') ? await response.json().catch(() => ({})) : {};
    if (response.status === 401) {
      end();
      window.dispatchEvent(new Event('linkage:signed-out'));
    }
    throw new Problem(response.status, problem);
  }
  return response;
}

export async function get(path, params) {
  const query = params ? `?${new URLSearchParams(params)}` : '';
  return (await call(`${path}${query}`)).json();
}

export async function post(path, body, idempotencyKey) {
  const response = await call(path, { method: 'POST', body, idempotencyKey });
  return response.status === 204 ? null : response.json();
}

export async function text(path, params, accept) {
  return (await call(`${path}?${new URLSearchParams(params)}`, { accept })).text();
}

// Every page of a collection (bounded: a station's lists are short).
export async function all(path, params, pages = 10) {
  const items = [];
  let token = null;
  for (let i = 0; i < pages; i += 1) {
    const page = await get(path, { ...params, page_size: 200, ...(token ? { page_token: token } : {}) });
    items.push(...page.items);
    token = page.next_page_token;
    if (!token) break;
  }
  return items;
}

// A problem in words for the page; never HTML.
export function describe(error) {
  if (!(error instanceof Problem)) return `出错了：${error.message || error}`;
  const known = {
    0: error.message,
    401: '密钥无效或已吊销，请重新输入。',
    403: '此密钥无权执行该操作。',
    404: '找不到该记录，或此密钥无权查看。',
    429: '请求过于频繁，请稍后再试。',
    503: '服务暂时不可用，请稍后再试。',
  };
  const lead = known[error.status] || error.message;
  return error.requestId ? `${lead}（请求编号 ${error.requestId}）` : lead;
}
