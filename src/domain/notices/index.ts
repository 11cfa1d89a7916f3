/**
 * Staff notices (通知公告): audience, composing, second approval, fan-out through the outbox,
 * “收到” confirmations, reports and the group chat registry. What other features may use.
 */
export { unconfirmedNoticesSummary, type UnconfirmedNoticeSummary } from './report.js';
export { noticeRef, nudgeRef, RECEIVED_PREFIX, TEMPLATE_ONE, TEMPLATE_VERSIONS, type Notice } from './message.js';
export { NOTICE_KIND } from './fanout.js';
export { listGroupChats, findGroupChat, type GroupChat } from './groups.js';
