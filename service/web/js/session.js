// Who the page acts as: an API key and the station it serves, kept in this tab's sessionStorage
// only (never in a URL or a cookie). A login (the province's single sign-on) can replace this
// module later: the rest of the client asks only `current()` and `authorization()`.
const STORAGE = 'linkage.session';

export function current() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE) || 'null');
    return saved && saved.key && saved.stationId ? saved : null;
  } catch {
    return null;
  }
}

export function begin(key, stationId) {
  sessionStorage.setItem(STORAGE, JSON.stringify({ key, stationId }));
}

export function end() {
  sessionStorage.removeItem(STORAGE);
}

export function authorization() {
  const session = current();
  return session ? `Bearer ${session.key}` : null;
}
