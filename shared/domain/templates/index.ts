/**
 * Message wording: built-in templates (English and Spanish), rendering with
 * whitelisted variables, SMS segment counting, the render-time guard that
 * keeps every SMS within its segment budget, and the save-time check of a
 * clinic's templates against that budget.
 */
export {
  BUILT_IN_PHRASES,
  BUILT_IN_TEMPLATES,
  type ByLanguage,
  isTemplateKind,
  type Phrases,
  REPLY_KEYWORDS,
  TEMPLATE_KINDS,
  type TemplateKind,
} from './builtin';
export {
  FIRST_NAME_BOUND,
  type FitOptions,
  type FittedSms,
  fitSms,
  type Shortening,
  shortenFirstName,
} from './guard';
export {
  KEYWORD_REPLIES,
  KEYWORD_REPLY_TEXTS,
  KEYWORD_REPLY_VARIABLES,
  type KeywordReplyText,
} from './keyword-reply-texts';
export {
  FALLBACK_LANGUAGE,
  formatContactPhone,
  type KeywordReply,
  type KeywordReplyInput,
  type KeywordReplyRendering,
  keywordReplyTextOf,
  keywordReplyValues,
  LOCAL_DATE_FORMAT,
  LOCAL_TIME_FORMAT,
  lookupLanguage,
  type RenderedEmail,
  type RenderedSms,
  type RenderInput,
  render,
  renderKeywordReply,
  renderSms,
  renderTemplateText,
  type SelectedTemplate,
  SMS_DATE_FORMAT,
  selectTemplate,
  smsNameOf,
  type TemplateSource,
  templateValues,
  type VisitDetails,
} from './render';
export {
  countSegments,
  foldToGsm7,
  GSM7_BASIC,
  GSM7_EXTENSION,
  isGsm7,
  isGsm7Char,
  SEGMENT_LIMITS,
  type SegmentCount,
  type SmsEncoding,
} from './segments';
export {
  STAFF_REPLY_CONVERSATION_HOURS,
  staffReplyOpensConversation,
  staffReplyWords,
  staffReplyWordsOf,
} from './staff-reply';
export {
  DROPPED_MARK,
  type ParsedTemplate,
  parseTemplate,
  renderNodes,
  TEMPLATE_VARIABLES,
  type TemplateNode,
  type TemplateValues,
  type TemplateVariable,
} from './syntax';
export { validateClinicTemplates, WORST_CASE_SAMPLES } from './validate';
