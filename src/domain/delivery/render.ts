import { z } from 'zod';
import { t, type Locale, type Params } from '../../core/i18n.js';
import type { OutgoingMessage } from '../../core/messages.js';
import type { ListParam } from '../outbox.js';
import type { DeliveryRow } from './status.js';

const storedButtons = z.array(z.array(z.object({ labelKey: z.string(), data: z.string().max(64) }))).nullable();

/** How a group chat reads the bot's messages: the deployment's default language and zone. */
export interface Reader {
  locale: Locale;
  timeZone: string;
}

/**
 * The message of an outbox row as its reader sees it, rendered now (send time) in the reader's
 * language and time zone; button labels are locale keys rendered the same way.
 */
export function renderDelivery(row: Pick<DeliveryRow, 'template' | 'params' | 'buttons'>, reader: Reader): OutgoingMessage {
  const params = resolveLists((row.params ?? {}) as Record<string, unknown>, reader);
  const text = t(reader.locale, row.template, params, reader.timeZone);
  const buttons = storedButtons.parse(row.buttons ?? null);
  if (!buttons || buttons.length === 0) return { text };
  return { text, buttons: buttons.map((line) => line.map((b) => ({ label: t(reader.locale, b.labelKey, {}, reader.timeZone), data: b.data }))) };
}

function isList(v: unknown): v is ListParam {
  return typeof v === 'object' && v !== null && Array.isArray((v as ListParam).$list);
}

/** Turns list params into text in the reader's language and zone; other params pass through. */
function resolveLists(params: Record<string, unknown>, reader: Reader): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    if (!isList(v)) {
      out[k] = v as Params[string];
      continue;
    }
    const lines = v.$list.map((item) => t(reader.locale, item.key, item.params ?? {}, reader.timeZone));
    out[k] = lines.length > 0 ? lines.join('\n') : v.emptyKey ? t(reader.locale, v.emptyKey, {}, reader.timeZone) : '';
  }
  return out;
}
