/**
 * The console's one message catalogue, in English and Simplified Chinese. The Chinese catalogue
 * has the English one's type, so a string missing from it fails type checking. Messages that
 * take values are functions; everything they return is text (pages escape it).
 */

import type { EventType, InstanceStatus } from '../engine/index.js'

export const LOCALES = ['en', 'zh'] as const
export type Locale = typeof LOCALES[number]

/** BCP 47 tags for `lang` attributes and `Intl` formatting. */
export const LOCALE_TAGS: Record<Locale, string> = { en: 'en', zh: 'zh-CN' }

const en = {
  product: 'Delivery Center',
  skipToContent: 'Skip to content',
  /** A label and its value, and a remark in parentheses, with the language's punctuation. */
  labelled: (label: string, value: string) => `${label}: ${value}`,
  aside: (text: string) => `(${text})`,
  nav: { inbox: 'Inbox', deliveries: 'All deliveries', admin: 'Search', failed: 'Failed', signOut: 'Sign out', language: 'Language', signedInAs: (role: string, subject: string) => `Signed in as ${subject} (${role})` },
  roles: { customer: 'Customer', isv: 'ISV', admin: 'Administrator', system: 'System' },
  status: { active: 'Active', completed: 'Completed', terminated: 'Terminated', failed: 'Failed' } satisfies Record<InstanceStatus, string>,
  /** Names of the usual order context keys, for a process whose context schema gives them no title. */
  contextKeys: { orderId: 'Order ID', productId: 'Product ID', specification: 'Order specification', spec: 'Order specification' },
  signIn: {
    title: 'Sign in',
    intro: 'Paste an API token to sign in. Customers and ISVs usually arrive by a sign-in link from the marketplace instead.',
    token: 'API token',
    tokenHelp: 'A token made by npx delivery-center token create (customer, ISV or administrator); the browser does not keep it.',
    submit: 'Sign in',
    refused: 'This token is unknown, has expired or has been revoked.',
    linkTitle: 'Sign in to Delivery Center',
    linkIntro: 'This one-time link signs you in. It works once and only for a few minutes.',
    linkContinue: 'Continue',
    linkRefused: 'This sign-in link has already been used or has expired. Ask for a new one where you found it.',
    signedOut: 'You have signed out.',
  },
  inbox: {
    title: 'Inbox',
    waiting: 'Waiting on me',
    waitingNone: 'Nothing waits on you now.',
    mine: 'My deliveries',
    none: 'No delivery matches.',
    asked: 'Asked of you',
  },
  list: {
    process: 'Process', status: 'Status', phase: 'Current phase', orderId: 'Order ID',
    partyRole: 'Party role', partySubject: 'Party subject', startedFrom: 'Started from', startedTo: 'Started before',
    any: 'Any', filter: 'Filter', clear: 'Clear', started: 'Started', delivery: 'Delivery',
    executor: 'Executor', deadline: 'Deadline', next: 'Next page', results: 'Results',
  },
  deadline: {
    // `{at}` marks where the instant goes (a <time> element, shown in the viewer's zone).
    timeout: (action: string) => `If you do nothing, the system performs “${action}” on {at}.`,
    timeoutOther: (action: string) => `If nobody acts, the system performs “${action}” on {at}.`,
    window: (window: string) => `${window} ends on {at}.`,
    processZone: (zone: string) => `process time zone: ${zone}`,
  },
  reminder: {
    // `{at}` marks where the instant goes, as in `deadline`.
    timeout: (action: string) => `Reminder: the system will perform “${action}” on {at} unless you act.`,
    window: (window: string) => `Reminder: ${window} ends on {at}.`,
  },
  delivery: {
    phase: 'Current phase',
    executor: 'Executor',
    ended: (outcome: string) => `Ended: ${outcome}`,
    steps: 'Steps',
    done: 'done',
    current: 'current',
    upcoming: 'upcoming',
    skipped: 'skipped',
    stopped: 'ended here',
    notReached: 'not reached',
    round: (n: number) => `round ${n}`,
    details: 'Order and contact details',
    parties: 'Parties',
    deliveryId: 'Delivery ID',
    context: 'Order',
    submitted: 'Submitted',
    values: 'Recorded values',
    actions: 'What you can do now',
    noActions: 'Nothing is asked of you in this phase.',
    waitingOn: (roles: string) => `Waiting on: ${roles}`,
    history: 'History',
    system: 'System',
    bySystem: 'performed by the system',
    diagram: 'Process diagram',
    diagramLoading: 'Loading the diagram…',
    changed: 'This delivery has changed.',
    reload: 'Show the latest',
    conflict: 'Someone acted on this delivery meanwhile; here is its latest state. Check it and try again.',
    deadlinePassed: 'The deadline of this phase has passed, so the system acts on it now; here is the delivery as it stands.',
    failure: 'Failure',
    failureText: (code: string, message: string, attempts: number) => `${code}: ${message} (after ${attempts} attempts)`,
    retry: 'Retry',
    terminate: 'Terminate',
    terminateReason: 'Reason',
    terminateConfirm: 'Terminating ends the delivery for every party. This cannot be undone.',
    endsConfirm: 'This action ends the delivery. Continue?',
    inputs: 'Inputs',
    files: 'Files',
  },
  events: {
    'instance-started': 'Delivery started',
    'step-entered': 'Phase entered',
    'action-performed': 'Action performed',
    'step-skipped': 'Phase skipped',
    'values-recorded': 'Values recorded',
    'window-opened': 'Window opened',
    'window-closed': 'Window closed',
    'window-expired': 'Window expired',
    'deadline-approaching': 'Reminder sent',
    'instance-completed': 'Delivery completed',
    'instance-terminated': 'Delivery terminated',
    'instance-failed': 'Delivery failed',
    'instance-retried': 'Delivery retried',
  } satisfies Record<EventType, string>,
  form: {
    required: 'required',
    optional: 'optional',
    add: 'Add',
    remove: 'Remove',
    choose: 'Choose…',
    oneValuePerLine: 'One value per line.',
    fixErrors: 'Some fields need your attention.',
    refused: (code: string) => `The action was refused (${code}).`,
  },
  attachments: {
    rules: (types: string, size: string, min: number, max: number) => `Accepted: ${types}; up to ${size} each; ${min === max ? `${min}` : `${min} to ${max}`} file(s).`,
    choose: 'Choose files',
    remove: 'Remove',
    uploading: 'Uploading',
    network: 'the connection to the server was lost; try again.',
    wrongType: (name: string, types: string) => `“${name}” is not one of the accepted types (${types}).`,
    wrongContent: (name: string, types: string) => `“${name}” is not one of the accepted types (${types}), judging by its content; it was not kept.`,
    tooLarge: (name: string, size: string) => `“${name}” is larger than ${size}.`,
    tooMany: (max: number) => `At most ${max} file(s).`,
    failed: (name: string, why: string) => `“${name}” was refused: ${why}`,
  },
  rules: {
    required: 'This field is required.',
    type: 'This value has the wrong type.',
    format: (format: string) => `Enter a valid ${format}.`,
    minLength: 'This is too short.',
    maxLength: 'This is too long.',
    pattern: 'This does not have the expected form.',
    minimum: 'This number is too small.',
    maximum: 'This number is too large.',
    enum: 'Choose one of the values offered.',
    count: 'This does not hold the number of files asked for.',
    fileType: 'This file is not one of the accepted types, judging by its content.',
    fileSize: 'This file is too large.',
    other: 'This value is not accepted.',
  },
  notFound: {
    title: 'Not found',
    text: 'There is no such delivery, or you may not see it.',
    back: 'Back to the inbox',
  },
  error: {
    title: 'Something went wrong',
    forbidden: 'You may not do this.',
    csrf: 'This form has expired or did not come from this console. Reload the page and try again.',
  },
} as const satisfies Record<string, unknown>

export type Messages = typeof en extends infer T ? Widen<T> : never

/** Turns literal string types into `string` so another language's catalogue can match the shape. */
type Widen<T> = T extends string ? string
  : T extends (...args: infer A) => string ? (...args: A) => string
    : T extends Record<string, unknown> ? { readonly [K in keyof T]: Widen<T[K]> } : T

const zh: Messages = {
  product: '交付中心',
  skipToContent: '跳到主要内容',
  labelled: (label, value) => `${label}：${value}`,
  aside: (text) => `（${text}）`,
  nav: { inbox: '待办', deliveries: '全部交付', admin: '搜索', failed: '失败', signOut: '退出登录', language: '语言', signedInAs: (role, subject) => `已登录：${subject}（${role}）` },
  roles: { customer: '客户', isv: '服务商', admin: '管理员', system: '系统' },
  status: { active: '进行中', completed: '已完成', terminated: '已终止', failed: '失败' },
  contextKeys: { orderId: '订单号', productId: '商品 ID', specification: '订单规格', spec: '订单规格' },
  signIn: {
    title: '登录',
    intro: '粘贴 API 令牌登录。客户和服务商通常通过云市场提供的登录链接进入。',
    token: 'API 令牌',
    tokenHelp: '用 npx delivery-center token create 创建的令牌（客户、服务商或管理员）；浏览器不会保存它。',
    submit: '登录',
    refused: '该令牌不存在、已过期或已被吊销。',
    linkTitle: '登录交付中心',
    linkIntro: '此一次性链接用于登录，只能使用一次，且仅在几分钟内有效。',
    linkContinue: '继续',
    linkRefused: '此登录链接已被使用或已过期。请在获取链接的地方重新申请。',
    signedOut: '您已退出登录。',
  },
  inbox: {
    title: '待办',
    waiting: '等待我处理',
    waitingNone: '目前没有需要您处理的事项。',
    mine: '我的交付',
    none: '没有符合条件的交付。',
    asked: '需要您',
  },
  list: {
    process: '流程', status: '状态', phase: '当前阶段', orderId: '订单号',
    partyRole: '参与方角色', partySubject: '参与方标识', startedFrom: '开始时间不早于', startedTo: '开始时间早于',
    any: '全部', filter: '筛选', clear: '清除', started: '开始时间', delivery: '交付',
    executor: '执行方', deadline: '截止时间', next: '下一页', results: '结果',
  },
  deadline: {
    timeout: (action) => `如果您不操作，系统将于 {at} 执行“${action}”。`,
    timeoutOther: (action) => `如果无人操作，系统将于 {at} 执行“${action}”。`,
    window: (window) => `${window}于 {at} 结束。`,
    processZone: (zone) => `流程时区：${zone}`,
  },
  reminder: {
    timeout: (action) => `提醒：除非您操作，系统将于 {at} 执行“${action}”。`,
    window: (window) => `提醒：${window}将于 {at} 结束。`,
  },
  delivery: {
    phase: '当前阶段',
    executor: '执行方',
    ended: (outcome) => `已结束：${outcome}`,
    steps: '步骤',
    done: '已完成',
    current: '当前',
    upcoming: '待进行',
    skipped: '已跳过',
    stopped: '在此结束',
    notReached: '未进行',
    round: (n) => `第 ${n} 轮`,
    details: '订单与联系信息',
    parties: '参与方',
    deliveryId: '交付 ID',
    context: '订单',
    submitted: '已提交',
    values: '记录的值',
    actions: '您现在可以执行的操作',
    noActions: '此阶段不需要您操作。',
    waitingOn: (roles) => `等待：${roles}`,
    history: '历史记录',
    system: '系统',
    bySystem: '由系统执行',
    diagram: '流程图',
    diagramLoading: '正在加载流程图…',
    changed: '此交付已更新。',
    reload: '查看最新内容',
    conflict: '在此期间有人处理了此交付；以下是最新状态。请检查后重试。',
    deadlinePassed: '此阶段的截止时间已过，系统正在处理；以下是此交付的当前状态。',
    failure: '失败原因',
    failureText: (code, message, attempts) => `${code}：${message}（已尝试 ${attempts} 次）`,
    retry: '重试',
    terminate: '终止',
    terminateReason: '原因',
    terminateConfirm: '终止将为所有参与方结束此交付，且无法撤销。',
    endsConfirm: '此操作将结束交付。是否继续？',
    inputs: '输入',
    files: '文件',
  },
  events: {
    'instance-started': '交付开始',
    'step-entered': '进入阶段',
    'action-performed': '执行操作',
    'step-skipped': '跳过阶段',
    'values-recorded': '记录值',
    'window-opened': '时间窗口开始',
    'window-closed': '时间窗口关闭',
    'window-expired': '时间窗口到期',
    'deadline-approaching': '已发送提醒',
    'instance-completed': '交付完成',
    'instance-terminated': '交付终止',
    'instance-failed': '交付失败',
    'instance-retried': '交付重试',
  },
  form: {
    required: '必填',
    optional: '选填',
    add: '添加',
    remove: '删除',
    choose: '请选择…',
    oneValuePerLine: '每行一个值。',
    fixErrors: '部分字段需要修改。',
    refused: (code) => `操作被拒绝（${code}）。`,
  },
  attachments: {
    rules: (types, size, min, max) => `支持：${types}；每个文件不超过 ${size}；${min === max ? `${min}` : `${min} 至 ${max}`} 个文件。`,
    choose: '选择文件',
    remove: '删除',
    uploading: '正在上传',
    network: '与服务器的连接已断开，请重试。',
    wrongType: (name, types) => `“${name}”不是支持的类型（${types}）。`,
    wrongContent: (name, types) => `根据文件内容，“${name}”不是支持的类型（${types}），未予保留。`,
    tooLarge: (name, size) => `“${name}”超过 ${size}。`,
    tooMany: (max) => `最多 ${max} 个文件。`,
    failed: (name, why) => `“${name}”被拒绝：${why}`,
  },
  rules: {
    required: '此字段为必填项。',
    type: '此值的类型不正确。',
    format: (format) => `请输入有效的 ${format}。`,
    minLength: '内容太短。',
    maxLength: '内容太长。',
    pattern: '格式不正确。',
    minimum: '数值太小。',
    maximum: '数值太大。',
    enum: '请从提供的选项中选择。',
    count: '文件数量不符合要求。',
    fileType: '根据文件内容，此文件不是支持的类型。',
    fileSize: '此文件太大。',
    other: '此值不被接受。',
  },
  notFound: {
    title: '未找到',
    text: '没有这个交付，或者您无权查看。',
    back: '返回待办',
  },
  error: {
    title: '出错了',
    forbidden: '您无权执行此操作。',
    csrf: '此表单已过期或并非来自本控制台。请刷新页面后重试。',
  },
}

const catalogues: Record<Locale, Messages> = { en, zh }

/** The messages of `locale`. */
export function messages(locale: Locale): Messages {
  return catalogues[locale]
}

/** The label of `key` in one of the catalogue's maps (roles, statuses), or for one it does not name (a process's own role) the key itself, or what `otherwise` makes of it. */
export function labelOf(map: Readonly<Record<string, string>>, key: string, otherwise: (key: string) => string = (k) => k): string {
  return Object.hasOwn(map, key) ? map[key] as string : otherwise(key)
}

/** Whether `value` names a supported locale. */
export function isLocale(value: string | undefined): value is Locale {
  return value !== undefined && (LOCALES as readonly string[]).includes(value)
}
