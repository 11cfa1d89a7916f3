import { t, tk, type Locale, type Params } from '../../core/i18n.js';
import { buttonData } from '../../router/types.js';
import type { DeliveryButton } from '../outbox.js';
import type { notices } from '../../store/schema/index.js';

/** A notice as stored. */
export type Notice = typeof notices.$inferSelect;

/** Button prefix of “收到 / Received”: 'nr:<noticeId>'. */
export const RECEIVED_PREFIX = 'nr';

/**
 * How a notice reads, chosen at send time in the recipient's language.
 *
 * One text for all: template `notices.delivery.one` with `{{text}}`.
 * Versions per language: template `notices.delivery.versions`, whose text in each locale file
 * nests its own language's body (`$t(notices.delivery.body.zhHant)` in zh-Hant.json, and so on)
 * while every body key reads `{{text_zhHans}}` / `{{text_zhHant}}` / `{{text_en}}`. The row carries
 * all three texts (a language without its own version carries the common text), so the delivery
 * engine's plain `t(locale, template, params, tz)` picks the reader's version, with the same keys
 * and placeholders in every locale file and no change to the engine.
 */
export const TEMPLATE_ONE = 'notices.delivery.one';
export const TEMPLATE_VERSIONS = 'notices.delivery.versions';

/** Why this copy is being sent: the notice itself, or a reminder to confirm it. */
export type NoticeOccasion = 'notice' | 'nudge';

/** The outbox ref of a notice's own deliveries; reminders add ':nudge:<n>'. */
export const noticeRef = (noticeId: number): string => `notice:${noticeId}`;
export const nudgeRef = (noticeId: number, n: number): string => `notice:${noticeId}:nudge:${n}`;

/** What the message is made of; a preview has no id yet and shows a placeholder instead. */
type Content = Pick<Notice, 'text' | 'versions' | 'confirm' | 'correctsNoticeId'> & { id: number | string };

/** Template, params and buttons of one copy of a notice, for an outbox row or a preview. */
export function noticeMessage(notice: Content, occasion: NoticeOccasion = 'notice'): { template: string; params: Params; buttons?: DeliveryButton[][] } {
  const header =
    occasion === 'nudge'
      ? tk('notices.delivery.nudgeHeader', { id: notice.id })
      : notice.correctsNoticeId
        ? tk('notices.delivery.correctionHeader', { id: notice.id, original: notice.correctsNoticeId })
        : tk('notices.delivery.header', { id: notice.id });
  const footer = notice.confirm ? tk('notices.delivery.confirmFooter') : '';
  const versions = notice.versions ?? {};
  const hasVersions = Object.values(versions).some((v) => v && v !== notice.text);
  const params: Params = hasVersions
    ? {
        header, footer,
        text_zhHans: versions['zh-Hans'] ?? notice.text,
        text_zhHant: versions['zh-Hant'] ?? notice.text,
        text_en: versions.en ?? notice.text,
      }
    : { header, footer, text: notice.text };
  const buttons = notice.confirm ? [[{ labelKey: 'notices.receivedButton', data: buttonData(RECEIVED_PREFIX, notice.id) }]] : undefined;
  return { template: hasVersions ? TEMPLATE_VERSIONS : TEMPLATE_ONE, params, ...(buttons ? { buttons } : {}) };
}

/** The notice as a reader of `locale` in `timeZone` sees it; for previews and updated messages. */
export function renderNotice(notice: Content, locale: Locale, timeZone: string, occasion: NoticeOccasion = 'notice'): string {
  const { template, params } = noticeMessage(notice, occasion);
  return t(locale, template, params, timeZone);
}
