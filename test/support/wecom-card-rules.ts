/**
 * The template-card rules both WeCom fakes apply, written from WeCom's documents and kept apart
 * from the adapter's own card code so that a mistake there is caught here:
 * - smart robot cards: developer document paths 101031 (被动回复消息, 模板卡片) and 101032
 *   (模板卡片类型, the structs), updates 94945 (更新模版卡片消息);
 * - self-built app cards: 90236 (发送应用消息, 模板卡片消息).
 * Both say the same for the fields Tongxin uses. A card that breaks one gets errcode 40058
 * (90455 全局错误码: 不合法的参数).
 */

/** 90455: 不合法的参数 — WeCom's answer to a request whose fields break the documented rules. */
export const INVALID_PARAMETER = 40058;

const TASK_ID = /^[A-Za-z0-9_\-@]{1,128}$/;
const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s) : 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The reason a card breaks the documents, or undefined when WeCom would take it. */
export function cardProblem(card: unknown): string | undefined {
  if (!isObject(card)) return 'template_card missing';
  const type = card.card_type;
  const title = card.main_title;
  // 101032 MainTitle: title and desc are each optional, but a card needs one of them (or the
  // sub_title_text for text_notice, which 101032 allows instead).
  const hasTitle = isObject(title) && (bytes(title.title) > 0 || bytes(title.desc) > 0);
  if (card.task_id !== undefined && (typeof card.task_id !== 'string' || !TASK_ID.test(card.task_id))) {
    // 101032/90236: 任务id … 只能由数字、字母和“_-@”组成，最长128字节.
    return 'task_id must be 1-128 bytes of letters, digits and _-@';
  }
  const jumps = card.jump_list;
  if (jumps !== undefined) {
    // 101032 JumpAction: at most 3; type 1 (url) needs url, type 2 (mini program) appid and pagepath.
    if (!Array.isArray(jumps) || jumps.length > 3) return 'jump_list holds at most 3 links';
    for (const jump of jumps) {
      if (!isObject(jump) || bytes(jump.title) === 0) return 'jump_list item needs a title';
      if (jump.type === 1 && bytes(jump.url) === 0) return 'jump_list item of type 1 needs a url';
    }
  }
  const action = card.card_action;
  if (action !== undefined && !validAction(action)) return 'card_action of type 1 needs a url';
  if (type === 'text_notice') {
    // 101032 文本通知模版卡片: card_action 必填 (type 1 or 2; 0 is not allowed on this card).
    if (!hasTitle && bytes(card.sub_title_text) === 0) return 'text_notice needs main_title or sub_title_text';
    if (!isObject(action) || (action.type !== 1 && action.type !== 2)) return 'text_notice needs card_action of type 1 or 2';
    return undefined;
  }
  if (type === 'button_interaction') {
    // 101032 按钮交互型: main_title 必填, button_list 必填 (1–6), task_id 必填.
    if (!hasTitle) return 'button_interaction needs main_title';
    if (typeof card.task_id !== 'string') return 'button_interaction needs task_id';
    const buttons = card.button_list;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6) return 'button_list needs 1 to 6 buttons';
    const keys = new Set<string>();
    for (const button of buttons) {
      // 101032 Button: text 必填; key 必填, 最长1024字节, 不可重复; style 1–4.
      if (!isObject(button) || bytes(button.text) === 0) return 'button needs text';
      if (typeof button.key !== 'string' || bytes(button.key) === 0 || bytes(button.key) > 1024) return 'button key must be 1-1024 bytes';
      if (keys.has(button.key)) return 'button keys must not repeat';
      keys.add(button.key);
      if (button.style !== undefined && ![1, 2, 3, 4].includes(button.style as number)) return 'button style must be 1-4';
    }
    return undefined;
  }
  return `card_type ${String(type)} is not one Tongxin sends`;
}

function validAction(action: unknown): boolean {
  if (!isObject(action)) return false;
  if (action.type === 1) return bytes(action.url) > 0;
  if (action.type === 2) return bytes(action.appid) > 0;
  return action.type === 0 || action.type === undefined;
}
