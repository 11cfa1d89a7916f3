/** A small iCalendar reader for tests: enough of RFC 5545 to check what /calendar writes. */
export interface ParsedEvent {
  uid: string;
  summary: string;
  start: Date;
  end: Date;
  status?: string;
  location?: string;
  url?: string;
  description?: string;
}

/** Undoes line folding (CRLF + space/tab) and text escaping. */
export function parseIcs(ics: string): { header: Record<string, string>; events: ParsedEvent[] } {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
  const header: Record<string, string> = {};
  const events: ParsedEvent[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).split(';')[0]!;
    const value = line.slice(colon + 1);
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      const e = current!;
      events.push({
        uid: e.UID!, summary: unescape(e.SUMMARY!), start: utc(e.DTSTART!), end: utc(e.DTEND!),
        ...(e.STATUS ? { status: e.STATUS } : {}), ...(e.LOCATION ? { location: unescape(e.LOCATION) } : {}),
        ...(e.URL ? { url: e.URL } : {}), ...(e.DESCRIPTION ? { description: unescape(e.DESCRIPTION) } : {}),
      });
      current = undefined;
    } else if (current) current[name] = value;
    else header[name] = value;
  }
  return { header, events };
}

/** "20261205T113000Z" → the instant; anything without Z is refused (we promise UTC). */
function utc(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`not a UTC date-time: ${value}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function unescape(text: string): string {
  return text.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}
