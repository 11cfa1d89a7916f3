import { sql } from 'drizzle-orm';
import { resultRows, type DbOrTx } from '../store/db.js';
import { deliveries, domainEvents } from '../store/schema/index.js';
import type { Params } from '../core/i18n.js';

/** A button on a delivered message: its label is a locale key, rendered for the recipient. */
export interface DeliveryButton {
  labelKey: string;
  data: string;
}

/**
 * A list in a delivery (a digest's shifts, a tally's lines): each item is a locale key with its
 * own params (dt()/day()/tk() allowed), rendered at send time in the recipient's language and
 * zone and joined with newlines; `emptyKey` is shown when there are no items.
 */
export interface ListParam {
  $list: Array<{ key: string; params?: Params }>;
  emptyKey?: string;
}

/**
 * Something the bot will say on its own, to a member or to a group chat. Written with
 * addDeliveries() inside the transaction of the change that causes it; the delivery engine
 * renders and sends it later. Params must be JSON-safe: use dt()/day()/tk() for dates and keys.
 */
export interface DeliveryRequest {
  /** What this is, e.g. 'shift.promoted'. With ref and recipient, sends at most once. */
  kind: string;
  /** What it is about, e.g. 'shift:12'; add a version (':v2') when a re-send is wanted. */
  ref: string;
  to: { memberId: number } | { chatKey: string };
  template: string;
  params?: Params;
  /** Params that are lists (digests); stored with the params, rendered at send time. */
  lists?: Record<string, ListParam>;
  buttons?: DeliveryButton[][];
  /** Not before this moment (a scheduled notice). */
  notBefore?: Date;
}

/** Adds outbox rows; a row that exists already (same kind, ref, recipient) is left as it is. */
export async function addDeliveries(db: DbOrTx, requests: DeliveryRequest[]): Promise<number> {
  if (requests.length === 0) return 0;
  // One statement with a parameter per column (arrays unnested by PostgreSQL): a notice to 10,000
  // members built as a multi-row VALUES cost drizzle 1.5 s of CPU, blocking the process's event
  // loop (its own sends and inbound messages) in 150 ms stretches, and needed chunks under
  // PostgreSQL's parameter limit. Rows without notBefore get now(), like the column default.
  const column = <T>(pick: (r: DeliveryRequest) => T) => sql.param(requests.map(pick));
  const result = await db.execute(sql`
    insert into ${deliveries} (kind, ref, member_id, chat_key, recipient, template, params, buttons, not_before)
    select kind, ref, member_id, chat_key, recipient, template, params::jsonb, buttons::jsonb, coalesce(not_before::timestamptz, now())
    from unnest(
      ${column((r) => r.kind)}::text[], ${column((r) => r.ref)}::text[],
      ${column((r) => ('memberId' in r.to ? r.to.memberId : null))}::int[],
      ${column((r) => ('chatKey' in r.to ? r.to.chatKey : null))}::text[],
      ${column((r) => ('memberId' in r.to ? `m:${r.to.memberId}` : `c:${r.to.chatKey}`))}::text[],
      ${column((r) => r.template)}::text[],
      ${column((r) => JSON.stringify(r.lists ? { ...r.params, ...r.lists } : (r.params ?? {})))}::text[],
      ${column((r) => (r.buttons ? JSON.stringify(r.buttons) : null))}::text[],
      ${column((r) => r.notBefore?.toISOString() ?? null)}::text[]
    ) as r(kind, ref, member_id, chat_key, recipient, template, params, buttons, not_before)
    on conflict do nothing
    returning id`);
  return resultRows(result).length;
}

/** Withdraws outbox rows not sent yet (a cancelled notice, a cancelled sign-up). */
export async function cancelPendingDeliveries(db: DbOrTx, kind: string, ref: string): Promise<number> {
  const rows = await db
    .update(deliveries)
    .set({ status: 'cancelled' })
    .where(sql`${deliveries.kind} = ${kind} and ${deliveries.ref} = ${ref} and ${deliveries.status} = 'pending'`)
    .returning({ id: deliveries.id });
  return rows.length;
}

/**
 * A domain event: a fact other parts react to (the delivery engine schedules or drops reminders
 * from them). Recorded in the same transaction as the change.
 */
export interface DomainEvent {
  /** e.g. 'shift.signup', 'shift.cancelled', 'shift.changed', 'reading.rsvp', 'note.adopted'. */
  kind: string;
  ref: string;
  memberId?: number;
  payload?: Record<string, unknown>;
}

export async function recordEvents(db: DbOrTx, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.insert(domainEvents).values(events.map((e) => ({ kind: e.kind, ref: e.ref, memberId: e.memberId ?? null, payload: e.payload ?? {} })));
}
